//! Integration tests of the cluster roles in one process: the lakehouse table layer through a
//! local session, and the in-process cluster.

mod lakehouse_local;
mod standalone;
