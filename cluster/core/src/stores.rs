//! Object-store clients built from the configuration alone, so that credentials never travel in
//! plans: every process builds its own from its `[lakehouse.s3]` settings.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::{ClientOptions, ObjectStore, RetryConfig};

use crate::config::S3Settings;

/// An S3 client for `bucket`. Retries are short so that a wrong endpoint fails in seconds
/// with its cause rather than after the three-minute default.
pub fn s3_store(bucket: &str, s3: &S3Settings) -> Result<Arc<dyn ObjectStore>, object_store::Error> {
    let region = if s3.region.is_empty() { "us-east-1" } else { s3.region.as_str() };
    let client = ClientOptions::new()
        .with_allow_http(s3.allow_http)
        .with_connect_timeout(Duration::from_secs(5))
        .with_timeout(Duration::from_secs(120));
    let retry = RetryConfig { max_retries: 3, retry_timeout: Duration::from_secs(20), ..Default::default() };
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region(region)
        .with_client_options(client)
        .with_retry(retry)
        .with_virtual_hosted_style_request(!s3.path_style);
    if !s3.endpoint.is_empty() {
        builder = builder.with_endpoint(s3.endpoint.trim_end_matches('/'));
    }
    if !s3.access_key_id.is_empty() {
        builder = builder.with_access_key_id(&s3.access_key_id).with_secret_access_key(&s3.secret_access_key);
    }
    Ok(Arc::new(builder.build()?))
}

/// The local file system as an object store, rooted at `/`.
pub fn local_store() -> Arc<dyn ObjectStore> {
    Arc::new(LocalFileSystem::new())
}
