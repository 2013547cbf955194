//! Who is calling: users and their argon2 password hashes, the Basic → bearer handshake, and
//! the HMAC-signed, expiring tokens every later call carries.
//!
//! A token is `base64url(claims JSON) "." base64url(HMAC-SHA256(key, claims JSON))`. The key is
//! the configured `flight_sql.token_secret` or, when that is empty, a random one per process.
//! Statement handles and tickets are signed with the same [`Signer`] (see `handle.rs`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reviewlake_core::config::{FlightSqlRole, FlightSqlUser};
use ring::hmac;
use serde::{Deserialize, Serialize};
use tonic::Status;
use tonic::metadata::MetadataMap;

/// The header that carries credentials, in both directions.
pub const AUTHORIZATION: &str = "authorization";

/// Errors of making a password hash.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The password is empty.
    #[error("the password is empty")]
    Empty,
    /// argon2 refused the input.
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// An argon2id PHC string for `password`, with a fresh random salt.
///
/// ```
/// let hash = reviewlake_cluster::flight_sql::hash_password("s3cret pass").unwrap();
/// assert!(hash.starts_with("$argon2id$"));
/// ```
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.is_empty() {
        return Err(PasswordError::Empty);
    }
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| PasswordError::Hash(e.to_string()))?;
    let hash =
        Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(hash.to_string())
}

/// What a valid token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    /// The user's name.
    pub user: String,
    /// The user's role when the token was issued.
    pub role: FlightSqlRole,
    /// Milliseconds since the epoch after which the token is refused.
    pub expires_at_ms: u64,
}

impl Caller {
    /// Refuses callers who may not change anything.
    pub fn require_writer(&self, what: &str) -> Result<(), Status> {
        match self.role {
            FlightSqlRole::Writer => Ok(()),
            FlightSqlRole::Reader => Err(Status::permission_denied(format!(
                "user `{}` has the reader role; {what} needs the writer role",
                self.user
            ))),
        }
    }
}

/// Signs and checks tokens and handles with one HMAC-SHA256 key.
#[derive(Clone)]
pub struct Signer {
    key: hmac::Key,
}

impl Signer {
    /// A signer with the configured secret, or a random key when `secret` is empty.
    pub fn new(secret: &str) -> Signer {
        let key = if secret.is_empty() {
            let random: [u8; 32] = rand::random();
            hmac::Key::new(hmac::HMAC_SHA256, &random)
        } else {
            hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes())
        };
        Signer { key }
    }

    /// `payload` followed by its 32-byte tag.
    pub fn seal(&self, payload: &[u8]) -> Vec<u8> {
        let tag = hmac::sign(&self.key, payload);
        let mut sealed = payload.to_vec();
        sealed.extend_from_slice(tag.as_ref());
        sealed
    }

    /// The payload of `sealed` when its tag is this key's, else `None`.
    pub fn open<'a>(&self, sealed: &'a [u8]) -> Option<&'a [u8]> {
        let split = sealed.len().checked_sub(32)?;
        let (payload, tag) = sealed.split_at(split);
        hmac::verify(&self.key, payload, tag).ok().map(|()| payload)
    }

    /// A bearer token for `caller`.
    pub fn issue(&self, caller: &Caller) -> String {
        let claims = serde_json::to_vec(caller).expect("claims serialise");
        let tag = hmac::sign(&self.key, &claims);
        format!("{}.{}", URL_SAFE_NO_PAD.encode(&claims), URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }

    /// The caller a bearer token names, if it is signed with this key and not expired.
    pub fn verify(&self, token: &str) -> Result<Caller, Status> {
        let refused = |why: &str| Status::unauthenticated(format!("bearer token refused: {why}; log in again"));
        let (claims, tag) = token.split_once('.').ok_or_else(|| refused("malformed"))?;
        let claims = URL_SAFE_NO_PAD.decode(claims).map_err(|_| refused("malformed"))?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| refused("malformed"))?;
        hmac::verify(&self.key, &claims, &tag).map_err(|_| refused("not signed by this server"))?;
        let caller: Caller = serde_json::from_slice(&claims).map_err(|_| refused("malformed"))?;
        if caller.expires_at_ms <= now_ms() {
            return Err(refused("expired"));
        }
        Ok(caller)
    }
}

/// Milliseconds since the epoch.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// The configured users and the token signer: the service's whole idea of identity.
pub struct Authenticator {
    users: Vec<FlightSqlUser>,
    signer: Signer,
    token_ttl: Duration,
    /// The hash of a random password, checked when the user is unknown so that a wrong name
    /// takes as long as a wrong password.
    decoy_hash: String,
}

impl Authenticator {
    /// An authenticator over `users`, signing with `signer`.
    pub fn new(users: Vec<FlightSqlUser>, signer: Signer, token_ttl: Duration) -> Authenticator {
        let decoy: [u8; 16] = rand::random();
        let decoy_hash = hash_password(&URL_SAFE_NO_PAD.encode(decoy)).expect("a non-empty password hashes");
        Authenticator { users, signer, token_ttl, decoy_hash }
    }

    /// The signer tokens and handles use.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// Checks `authorization: Basic base64(user:password)` and returns a new bearer token.
    pub fn login(&self, metadata: &MetadataMap) -> Result<(Caller, String), Status> {
        let refused = || Status::unauthenticated("wrong user name or password");
        let header = header(metadata)?
            .ok_or_else(|| Status::unauthenticated("the handshake needs `authorization: Basic ...` credentials"))?;
        let encoded = header
            .strip_prefix("Basic ")
            .ok_or_else(|| Status::unauthenticated("the handshake needs Basic credentials"))?;
        let decoded =
            STANDARD.decode(encoded.trim()).map_err(|_| Status::unauthenticated("malformed Basic credentials"))?;
        let decoded = String::from_utf8(decoded).map_err(|_| Status::unauthenticated("malformed Basic credentials"))?;
        let (name, password) =
            decoded.split_once(':').ok_or_else(|| Status::unauthenticated("malformed Basic credentials"))?;
        let user = self.users.iter().find(|u| u.name == name);
        let stored = user.map(|u| u.password_hash.as_str()).unwrap_or(&self.decoy_hash);
        let hash =
            PasswordHash::new(stored).map_err(|_| Status::internal("a configured password hash is malformed"))?;
        let matches = Argon2::default().verify_password(password.as_bytes(), &hash).is_ok();
        let user = user.filter(|_| matches).ok_or_else(refused)?;
        let caller = Caller {
            user: user.name.clone(),
            role: user.role,
            expires_at_ms: now_ms() + self.token_ttl.as_millis() as u64,
        };
        let token = self.signer.issue(&caller);
        Ok((caller, token))
    }

    /// The caller named by the request's `authorization: Bearer` header.
    pub fn caller(&self, metadata: &MetadataMap) -> Result<Caller, Status> {
        let header = header(metadata)?.ok_or_else(|| {
            Status::unauthenticated(
                "no credentials: log in with a Basic handshake and send `authorization: Bearer TOKEN`",
            )
        })?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or_else(|| Status::unauthenticated("this call needs `authorization: Bearer TOKEN`"))?;
        let caller = self.signer.verify(token.trim())?;
        // A user removed from the configuration loses access at once; a changed role applies
        // to the next token.
        if !self.users.iter().any(|u| u.name == caller.user) {
            return Err(Status::unauthenticated(format!("user `{}` no longer exists", caller.user)));
        }
        Ok(caller)
    }
}

fn header(metadata: &MetadataMap) -> Result<Option<&str>, Status> {
    match metadata.get(AUTHORIZATION) {
        None => Ok(None),
        Some(value) => {
            value.to_str().map(Some).map_err(|_| Status::unauthenticated("the authorization header is not text"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, role: FlightSqlRole, password: &str) -> FlightSqlUser {
        FlightSqlUser { name: name.into(), role, password_hash: hash_password(password).unwrap() }
    }

    fn basic(name: &str, password: &str) -> MetadataMap {
        let mut metadata = MetadataMap::new();
        let value = format!("Basic {}", STANDARD.encode(format!("{name}:{password}")));
        metadata.insert(AUTHORIZATION, value.parse().unwrap());
        metadata
    }

    fn bearer(token: &str) -> MetadataMap {
        let mut metadata = MetadataMap::new();
        metadata.insert(AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
        metadata
    }

    fn authenticator(secret: &str) -> Authenticator {
        Authenticator::new(
            vec![user("ana", FlightSqlRole::Reader, "pw-ana"), user("wes", FlightSqlRole::Writer, "pw-wes")],
            Signer::new(secret),
            Duration::from_secs(60),
        )
    }

    #[test]
    fn login_issues_a_token_the_same_key_accepts() {
        let auth = authenticator("k1");
        let (caller, token) = auth.login(&basic("wes", "pw-wes")).unwrap();
        assert_eq!(caller.role, FlightSqlRole::Writer);
        assert_eq!(auth.caller(&bearer(&token)).unwrap(), caller);
    }

    #[test]
    fn wrong_password_unknown_user_and_missing_header_are_refused() {
        let auth = authenticator("k1");
        for metadata in [basic("ana", "nope"), basic("nobody", "pw-ana"), MetadataMap::new()] {
            assert_eq!(auth.login(&metadata).unwrap_err().code(), tonic::Code::Unauthenticated);
        }
    }

    #[test]
    fn tokens_of_another_key_expired_or_tampered_are_refused() {
        let auth = authenticator("k1");
        let (_, token) = auth.login(&basic("ana", "pw-ana")).unwrap();
        let other = authenticator("k2");
        assert!(other.caller(&bearer(&token)).unwrap_err().message().contains("not signed"));

        let expired = Caller { user: "ana".into(), role: FlightSqlRole::Reader, expires_at_ms: now_ms() - 1 };
        let token = auth.signer().issue(&expired);
        assert!(auth.caller(&bearer(&token)).unwrap_err().message().contains("expired"));

        // A reader rewriting its claims to writer breaks the signature.
        let (claims, tag) = token.split_once('.').unwrap();
        let claims = String::from_utf8(URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap().replace("reader", "writer");
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(claims));
        assert!(auth.caller(&bearer(&forged)).is_err());
        assert!(auth.caller(&MetadataMap::new()).is_err());
    }

    #[test]
    fn sealed_payloads_open_only_unchanged() {
        let signer = Signer::new("");
        let mut sealed = signer.seal(b"payload");
        assert_eq!(signer.open(&sealed), Some(&b"payload"[..]));
        sealed[0] ^= 1;
        assert_eq!(signer.open(&sealed), None);
        assert_eq!(signer.open(b"short"), None);
    }
}
