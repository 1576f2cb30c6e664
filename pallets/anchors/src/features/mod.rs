//! The logic of the calls and queries, one module per topic.

mod anchoring;
mod quota;
mod verification;
