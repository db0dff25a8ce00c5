//! One module per subcommand: each turns parsed arguments into calls on the layers
//! below (aws, rules, engine, output) and decides the exit code.

mod files;
pub mod scan;
