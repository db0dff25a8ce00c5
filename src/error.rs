//! The one error type that ends a run: a sentence for the user, exit code 2.

use std::fmt;

/// A usage or runtime failure: bad input, no credentials, an unusable rule file.
/// Printed as one line on stderr; the process exits with code 2.
#[derive(Debug, Clone, PartialEq)]
pub struct Fatal(pub String);

impl Fatal {
    pub fn new(message: impl Into<String>) -> Fatal {
        Fatal(message.into())
    }
}

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
