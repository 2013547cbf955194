//! Statement handles: what `GetFlightInfo` and `CreatePreparedStatement` hand out and `DoGet`
//! and `DoPut` redeem.
//!
//! A handle is signed (see [`Signer`]), so a client can neither change the SQL it was given
//! nor redeem it as another user, and it expires with the token it was made under. Parameters
//! bound by `DoPut` travel inside the handle, which keeps the server free of per-client state.

use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::ipc::reader::StreamReader;
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::common::{ParamValues, ScalarValue};
use serde::{Deserialize, Serialize};
use tonic::Status;

use super::auth::{Caller, Signer, now_ms};

/// A statement granted to one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementHandle {
    /// Names the query while it runs, for `CancelFlightInfo`.
    pub query_id: String,
    /// The user it was granted to.
    pub user: String,
    /// The SQL text.
    pub sql: String,
    /// Bound parameters: an Arrow IPC stream (base64), one row per execution.
    pub params: Option<String>,
    /// Milliseconds since the epoch after which it is refused.
    pub expires_at_ms: u64,
}

impl StatementHandle {
    /// A handle on `sql` for `caller`, valid as long as the caller's token.
    pub fn new(caller: &Caller, sql: &str) -> StatementHandle {
        StatementHandle {
            query_id: format!("{:032x}", rand::random::<u128>()),
            user: caller.user.clone(),
            sql: sql.to_string(),
            params: None,
            expires_at_ms: caller.expires_at_ms,
        }
    }

    /// The same statement under a new query id, for another execution.
    pub fn rerun(&self) -> StatementHandle {
        StatementHandle { query_id: format!("{:032x}", rand::random::<u128>()), ..self.clone() }
    }

    /// The signed bytes clients hold.
    pub fn encode(&self, signer: &Signer) -> Vec<u8> {
        signer.seal(&serde_json::to_vec(self).expect("handles serialise"))
    }

    /// The handle in `bytes`, if this server signed it for `caller` and it has not expired.
    pub fn decode(bytes: &[u8], signer: &Signer, caller: &Caller) -> Result<StatementHandle, Status> {
        let payload = signer
            .open(bytes)
            .ok_or_else(|| Status::permission_denied("statement handle refused: not issued by this server"))?;
        let handle: StatementHandle = serde_json::from_slice(payload)
            .map_err(|_| Status::invalid_argument("statement handle refused: malformed"))?;
        if handle.user != caller.user {
            return Err(Status::permission_denied("statement handle refused: it was issued to another user"));
        }
        if handle.expires_at_ms <= now_ms() {
            return Err(Status::unauthenticated("statement handle refused: expired; prepare it again"));
        }
        Ok(handle)
    }

    /// This handle with `batches` as its parameters.
    pub fn bind(mut self, batches: &[RecordBatch]) -> Result<StatementHandle, Status> {
        let Some(first) = batches.first() else {
            self.params = None;
            return Ok(self);
        };
        let mut bytes = Vec::new();
        {
            let mut writer = StreamWriter::try_new(&mut bytes, &first.schema()).map_err(internal)?;
            for batch in batches {
                writer.write(batch).map_err(|e| Status::invalid_argument(format!("parameters: {e}")))?;
            }
            writer.finish().map_err(internal)?;
        }
        self.params = Some(STANDARD.encode(bytes));
        Ok(self)
    }

    /// One set of parameter values per bound row; empty when nothing is bound.
    pub fn parameter_rows(&self) -> Result<Vec<ParamValues>, Status> {
        let Some(encoded) = &self.params else { return Ok(Vec::new()) };
        let bytes = STANDARD.decode(encoded).map_err(internal)?;
        let reader = StreamReader::try_new(Cursor::new(bytes), None).map_err(internal)?;
        let mut rows = Vec::new();
        for batch in reader {
            let batch = batch.map_err(internal)?;
            for row in 0..batch.num_rows() {
                let values = batch
                    .columns()
                    .iter()
                    .map(|column| ScalarValue::try_from_array(column, row))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| Status::invalid_argument(format!("parameters: {e}")))?;
                rows.push(ParamValues::List(values.into_iter().map(Into::into).collect()));
            }
        }
        Ok(rows)
    }
}

fn internal(error: impl std::fmt::Display) -> Status {
    Status::internal(format!("statement handle: {error}"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use reviewlake_core::config::FlightSqlRole;

    use super::*;

    fn caller(user: &str) -> Caller {
        Caller { user: user.into(), role: FlightSqlRole::Reader, expires_at_ms: now_ms() + 60_000 }
    }

    #[test]
    fn handles_round_trip_with_their_parameters() {
        let signer = Signer::new("k");
        let schema = Arc::new(Schema::new(vec![
            Field::new("$1", DataType::Int64, true),
            Field::new("$2", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(Int64Array::from(vec![4, 5])), Arc::new(StringArray::from(vec!["a", "b"]))],
        )
        .unwrap();
        let handle = StatementHandle::new(&caller("ana"), "SELECT $1, $2").bind(&[batch]).unwrap();
        let decoded = StatementHandle::decode(&handle.encode(&signer), &signer, &caller("ana")).unwrap();
        assert_eq!(decoded, handle);
        let rows = decoded.parameter_rows().unwrap();
        assert_eq!(rows.len(), 2);
        let ParamValues::List(values) = &rows[1] else { panic!("positional parameters") };
        assert_eq!(values[0].value(), &ScalarValue::Int64(Some(5)));
    }

    #[test]
    fn another_user_or_another_key_cannot_redeem_a_handle() {
        let signer = Signer::new("k");
        let bytes = StatementHandle::new(&caller("ana"), "SELECT 1").encode(&signer);
        let stolen = StatementHandle::decode(&bytes, &signer, &caller("bob")).unwrap_err();
        assert_eq!(stolen.code(), tonic::Code::PermissionDenied);
        assert!(StatementHandle::decode(&bytes, &Signer::new("other"), &caller("ana")).is_err());
    }
}
