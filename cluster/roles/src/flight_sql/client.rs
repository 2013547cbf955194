//! A Flight SQL client session, so that `reviewlake sql --flight` goes through the same door
//! as notebooks and BI tools.

use arrow_flight::sql::client::FlightSqlServiceClient;
use datafusion::arrow::array::RecordBatch;
use futures::TryStreamExt;
use tonic::transport::Channel;

use crate::sql::parse_script;

/// Errors of a client session.
#[derive(Debug, thiserror::Error)]
pub enum FlightSqlClientError {
    /// The URL is not `grpc://HOST:PORT`.
    #[error("Flight SQL URL `{url}`: {reason}")]
    Url {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The server does not answer.
    #[error("cannot reach Flight SQL at {url}: {reason}")]
    Connect {
        /// The URL given.
        url: String,
        /// The transport's reason.
        reason: String,
    },
    /// The server refused the login.
    #[error("Flight SQL login as `{user}` refused: {reason}")]
    Login {
        /// The user.
        user: String,
        /// The server's reason.
        reason: String,
    },
    /// The script does not parse.
    #[error(transparent)]
    Parse(#[from] crate::sql::SqlError),
    /// A statement failed on the server.
    #[error("statement {index} of {count} failed: {reason}; statement: {statement}")]
    Statement {
        /// 1-based position of the statement.
        index: usize,
        /// Number of statements.
        count: usize,
        /// The statement's text.
        statement: String,
        /// The server's message.
        reason: String,
    },
}

/// A logged-in Flight SQL session.
pub struct FlightSqlConnection {
    client: FlightSqlServiceClient<Channel>,
}

impl FlightSqlConnection {
    /// Connects to `url` (`grpc://HOST:PORT`) and logs in as `user`.
    pub async fn connect(url: &str, user: &str, password: &str) -> Result<FlightSqlConnection, FlightSqlClientError> {
        let invalid = |reason: &str| FlightSqlClientError::Url { url: url.to_string(), reason: reason.to_string() };
        let address = url.strip_prefix("grpc://").ok_or_else(|| {
            if url.starts_with("grpc+tls://") {
                invalid("TLS is not served yet; use grpc://")
            } else {
                invalid("expected grpc://HOST:PORT")
            }
        })?;
        let endpoint = Channel::from_shared(format!("http://{address}")).map_err(|e| invalid(&e.to_string()))?;
        let channel = endpoint
            .connect()
            .await
            .map_err(|e| FlightSqlClientError::Connect { url: url.to_string(), reason: root_message(&e) })?;
        let mut client = FlightSqlServiceClient::new(channel);
        client
            .handshake(user, password)
            .await
            .map_err(|e| FlightSqlClientError::Login { user: user.to_string(), reason: server_message(e) })?;
        Ok(FlightSqlConnection { client })
    }

    /// Runs every statement of `script` in order and returns the last one's result.
    pub async fn run_script(&mut self, script: &str) -> Result<Vec<RecordBatch>, FlightSqlClientError> {
        let statements = parse_script(script)?;
        let count = statements.len();
        let mut last = Vec::new();
        for (index, statement) in statements.into_iter().enumerate() {
            let text = statement.to_string();
            let failed = |reason: String| FlightSqlClientError::Statement {
                index: index + 1,
                count,
                statement: text.clone(),
                reason,
            };
            last = self.query(&text).await.map_err(failed)?;
        }
        Ok(last)
    }

    async fn query(&mut self, sql: &str) -> Result<Vec<RecordBatch>, String> {
        let info = self.client.execute(sql.to_string(), None).await.map_err(server_message)?;
        let mut batches = Vec::new();
        for endpoint in info.endpoint {
            let Some(ticket) = endpoint.ticket else { continue };
            let stream = self.client.do_get(ticket).await.map_err(server_message)?;
            batches.extend(stream.try_collect::<Vec<_>>().await.map_err(server_message)?);
        }
        Ok(batches)
    }
}

fn root_message(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        message = inner.to_string();
        source = inner.source();
    }
    message
}

/// The server's message of a failed call. The client library renders statuses with their code
/// and the message quoted and escaped (`code: 'X', message: "..."`); the message is what the
/// server said.
fn server_message(error: impl std::fmt::Display) -> String {
    let text = error.to_string();
    let Some(at) = text.find("message: \"") else { return text };
    let mut message = String::new();
    let mut chars = text[at + "message: \"".len()..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return message,
            '\\' => match chars.next() {
                Some('n') => message.push(' '),
                Some(escaped) => message.push(escaped),
                None => break,
            },
            other => message.push(other),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_server_message_is_taken_out_of_the_status() {
        let status = tonic::Status::permission_denied("user `ana` has the \"reader\" role");
        let wrapped = format!("Can't handshake {status}");
        assert_eq!(super::server_message(wrapped), "user `ana` has the \"reader\" role");
        assert_eq!(super::server_message(format!("{status:?}")), "user `ana` has the \"reader\" role");
        assert_eq!(super::server_message("plain"), "plain");
    }
}
