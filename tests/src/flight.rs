//! Flight SQL users for tests: a configuration file with a reader and a writer, and the
//! environment that makes a cluster's scheduler serve them with a signing key the test knows.

use std::path::Path;

use reviewlake_cluster::flight_sql::hash_password;

/// The reader's name and password.
pub const READER: (&str, &str) = ("ana", "ana-test-password");
/// The writer's name and password.
pub const WRITER: (&str, &str) = ("wes", "wes-test-password");

/// Writes `DIR/flight.toml` with [`READER`] and [`WRITER`] and the `data_roots`, and returns
/// the token secret and the environment pointing every process at the file and the secret.
pub fn flight_env(dir: &Path, data_roots: &[&Path]) -> (String, Vec<(String, String)>) {
    let roots: Vec<String> = data_roots.iter().map(|root| format!("{:?}", root.display().to_string())).collect();
    let mut text = format!("[flight_sql]\ndata_roots = [{}]\n", roots.join(", "));
    for ((name, password), role) in [(READER, "reader"), (WRITER, "writer")] {
        let hash = hash_password(password).expect("test password hashes");
        text.push_str(&format!(
            "\n[[flight_sql.users]]\nname = \"{name}\"\nrole = \"{role}\"\npassword_hash = \"{hash}\"\n"
        ));
    }
    let path = dir.join("flight.toml");
    std::fs::write(&path, text).expect("flight.toml written");
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let secret = format!("test-secret-{}-{nanos}", std::process::id());
    let env = vec![
        ("REVIEWLAKE_CONFIG".to_string(), path.display().to_string()),
        ("REVIEWLAKE__FLIGHT_SQL__TOKEN_SECRET".to_string(), secret.clone()),
    ];
    (secret, env)
}
