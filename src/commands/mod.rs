//! One module per subcommand: each turns parsed arguments into calls on the layers
//! below (aws, rules, engine, output) and decides the exit code.

pub mod baseline;
mod common;
pub mod deploy;
pub mod destroy;
mod files;
pub mod member_role;
pub mod notify;
pub mod remediate;
pub mod remote;
mod remote_organization;
pub mod report;
pub mod scan;
pub mod shell;
