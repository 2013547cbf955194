//! `reviewlake user add`: make the configuration entry of a Flight SQL user.

use anyhow::bail;
use reviewlake_cluster::config::FlightSqlRole;
use reviewlake_cluster::flight_sql::hash_password;

use crate::commands::sql::read_password;

/// Reads the password from standard input and prints the `[[flight_sql.users]]` block.
pub(crate) fn add(name: &str, role: FlightSqlRole) -> anyhow::Result<()> {
    if name.trim().is_empty() || name.contains(':') || name.contains('"') {
        bail!("user name `{name}` must be non-empty and hold no `:` or `\"`");
    }
    let password = read_password(&format!("password for {name}: "))?;
    let hash = hash_password(&password)?;
    crate::output::print_result(&format!(
        "[[flight_sql.users]]\nname = \"{name}\"\nrole = \"{}\"\npassword_hash = \"{hash}\"",
        role.as_str()
    ));
    Ok(())
}
