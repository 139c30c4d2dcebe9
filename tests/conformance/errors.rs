//! Rules TODO.

use super::Rule;

/// This module's rules.
pub const RULES: &[Rule] = &[];
