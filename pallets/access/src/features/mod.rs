//! The logic of the calls and hooks, one module per topic.

mod cleanup;
mod granting;
