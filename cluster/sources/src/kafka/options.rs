//! Where a topic is and how to reach it, from the `[stream]` settings; and the librdkafka
//! configuration that follows from them.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use rdkafka::ClientConfig;
use reviewlake_core::config::StreamSettings;

use super::error::KafkaError;

/// The transport and authentication of the connection to the brokers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS, no authentication (a local broker).
    Plaintext,
    /// SASL authentication without TLS.
    SaslPlaintext,
    /// SASL authentication over TLS (Azure Event Hubs: PLAIN, port 9093).
    SaslSsl,
}

impl Security {
    fn protocol(self) -> &'static str {
        match self {
            Self::Plaintext => "plaintext",
            Self::SaslPlaintext => "sasl_plaintext",
            Self::SaslSsl => "sasl_ssl",
        }
    }
}

impl FromStr for Security {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "plaintext" => Ok(Self::Plaintext),
            "sasl_plaintext" => Ok(Self::SaslPlaintext),
            "sasl_ssl" => Ok(Self::SaslSsl),
            other => Err(format!("`{other}` is not one of plaintext, sasl_plaintext, sasl_ssl")),
        }
    }
}

/// A SASL mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaslMechanism {
    /// User and password in the clear (inside TLS); what Event Hubs takes.
    Plain,
    /// Salted challenge-response with SHA-256.
    ScramSha256,
    /// Salted challenge-response with SHA-512.
    ScramSha512,
}

impl SaslMechanism {
    fn name(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::ScramSha512 => "SCRAM-SHA-512",
        }
    }
}

impl FromStr for SaslMechanism {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.to_ascii_uppercase().as_str() {
            "PLAIN" => Ok(Self::Plain),
            "SCRAM-SHA-256" => Ok(Self::ScramSha256),
            "SCRAM-SHA-512" => Ok(Self::ScramSha512),
            other => Err(format!("`{other}` is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512")),
        }
    }
}

/// SASL user and password. The password is read from an environment variable and never
/// printed: `Debug` shows only the variable's name.
#[derive(Clone)]
pub struct SaslCredentials {
    /// The mechanism.
    pub mechanism: SaslMechanism,
    /// The user (Event Hubs: `$ConnectionString`).
    pub username: String,
    /// The environment variable the password came from.
    pub password_env: String,
    password: String,
}

impl fmt::Debug for SaslCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SaslCredentials")
            .field("mechanism", &self.mechanism)
            .field("username", &self.username)
            .field("password", &format_args!("${}", self.password_env))
            .finish()
    }
}

/// Where the topic is and how to reach it.
#[derive(Debug, Clone)]
pub struct KafkaOptions {
    /// Bootstrap brokers, `host:port[,host:port...]`.
    pub brokers: String,
    /// The topic.
    pub topic: String,
    /// Transport and authentication.
    pub security: Security,
    /// Credentials of the `sasl_*` securities.
    pub sasl: Option<SaslCredentials>,
    /// Certificate authorities (PEM) trusted for TLS; the system's when `None`.
    pub ca: Option<PathBuf>,
    /// How long an operation waits for the brokers before it fails.
    pub timeout: Duration,
}

impl KafkaOptions {
    /// Options from the `[stream]` settings; the SASL password is read from the environment
    /// variable `stream.password_env` names.
    pub fn from_settings(settings: &StreamSettings) -> Result<Self, KafkaError> {
        let option = |option: &'static str, reason: String| KafkaError::Option { option, reason };
        if settings.brokers.trim().is_empty() {
            return Err(option("stream.brokers", "no brokers given (--brokers HOST:PORT)".into()));
        }
        for broker in settings.brokers.split(',') {
            reviewlake_core::config::parse_host_port(broker.trim())
                .map_err(|reason| option("stream.brokers", reason))?;
        }
        if settings.topic.trim().is_empty() {
            return Err(option("stream.topic", "no topic given (--topic NAME)".into()));
        }
        let security: Security = settings.security.parse().map_err(|reason| option("stream.security", reason))?;
        let sasl = match security {
            Security::Plaintext => None,
            Security::SaslPlaintext | Security::SaslSsl => Some(credentials(settings)?),
        };
        let ca = (!settings.ca.is_empty()).then(|| PathBuf::from(&settings.ca));
        if let Some(ca) = &ca
            && !ca.is_file()
        {
            return Err(option("stream.ca", format!("{} is not a readable file", ca.display())));
        }
        Ok(Self {
            brokers: settings.brokers.trim().to_string(),
            topic: settings.topic.trim().to_string(),
            security,
            sasl,
            ca,
            timeout: Duration::from_secs(settings.timeout_seconds),
        })
    }

    /// The librdkafka configuration of a client of these options.
    pub(crate) fn client_config(&self) -> ClientConfig {
        let timeout_ms = self.timeout.as_millis().to_string();
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", &self.brokers)
            .set("client.id", "reviewlake")
            .set("security.protocol", self.security.protocol())
            .set("socket.connection.setup.timeout.ms", &timeout_ms)
            // Event Hubs closes connections idle for 240 s; reconnecting before that is quieter.
            .set("connections.max.idle.ms", "180000");
        if let Some(sasl) = &self.sasl {
            config
                .set("sasl.mechanisms", sasl.mechanism.name())
                .set("sasl.username", &sasl.username)
                .set("sasl.password", &sasl.password);
        }
        if let Some(ca) = &self.ca {
            config.set("ssl.ca.location", ca.display().to_string());
        }
        config
    }
}

fn credentials(settings: &StreamSettings) -> Result<SaslCredentials, KafkaError> {
    let option = |option: &'static str, reason: String| KafkaError::Option { option, reason };
    let security = &settings.security;
    if settings.sasl_mechanism.is_empty() {
        return Err(option("stream.sasl_mechanism", format!("{security} needs --sasl-mechanism")));
    }
    let mechanism: SaslMechanism =
        settings.sasl_mechanism.parse().map_err(|reason| option("stream.sasl_mechanism", reason))?;
    if settings.username.is_empty() {
        return Err(option("stream.username", format!("{security} needs --username")));
    }
    if settings.password_env.is_empty() {
        return Err(option(
            "stream.password_env",
            format!("{security} needs --password-env VAR, the environment variable holding the password"),
        ));
    }
    let password = std::env::var(&settings.password_env).map_err(|_| {
        option("stream.password_env", format!("the environment variable {} is not set", settings.password_env))
    })?;
    Ok(SaslCredentials {
        mechanism,
        username: settings.username.clone(),
        password_env: settings.password_env.clone(),
        password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> StreamSettings {
        StreamSettings { brokers: "127.0.0.1:9092".into(), topic: "reviews".into(), ..Default::default() }
    }

    #[test]
    fn plaintext_needs_only_brokers_and_topic() {
        let options = KafkaOptions::from_settings(&settings()).unwrap();
        assert_eq!(options.security, Security::Plaintext);
        assert!(options.sasl.is_none());
    }

    #[test]
    fn missing_pieces_name_their_option() {
        let no_topic = StreamSettings { topic: String::new(), ..settings() };
        assert!(KafkaOptions::from_settings(&no_topic).unwrap_err().to_string().contains("stream.topic"));
        let bad_broker = StreamSettings { brokers: "localhost".into(), ..settings() };
        assert!(KafkaOptions::from_settings(&bad_broker).unwrap_err().to_string().contains("stream.brokers"));
        let sasl = StreamSettings { security: "sasl_ssl".into(), ..settings() };
        assert!(KafkaOptions::from_settings(&sasl).unwrap_err().to_string().contains("stream.sasl_mechanism"));
        let unset = StreamSettings {
            security: "sasl_plaintext".into(),
            sasl_mechanism: "SCRAM-SHA-256".into(),
            username: "u".into(),
            password_env: "REVIEWLAKE_TEST_UNSET_PASSWORD_VARIABLE".into(),
            ..settings()
        };
        let error = KafkaOptions::from_settings(&unset).unwrap_err().to_string();
        assert!(error.contains("REVIEWLAKE_TEST_UNSET_PASSWORD_VARIABLE"), "{error}");
    }

    #[test]
    fn the_password_is_never_printed() {
        let credentials = SaslCredentials {
            mechanism: SaslMechanism::Plain,
            username: "$ConnectionString".into(),
            password_env: "EVENT_HUBS_CONNECTION".into(),
            password: "Endpoint=sb://x/;SharedAccessKey=secret".into(),
        };
        let shown = format!("{credentials:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("EVENT_HUBS_CONNECTION"), "{shown}");
    }
}
