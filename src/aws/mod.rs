//! Every AWS SDK call the tool makes lives under this module: the session (credentials,
//! endpoint, account), region discovery, and the collectors that fill the inventory.

mod answers;
pub mod buckets;
pub mod collect;
#[cfg(feature = "lambda")]
pub mod delivery;
pub mod deployed;
pub mod errors;
pub mod findings_table;
pub mod leftovers;
pub mod organizations;
pub mod regions;
pub mod remediate;
pub mod scanner;
pub mod security_hub;
pub mod session;
pub mod stack;
pub mod state_machine;
