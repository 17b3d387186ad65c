//! Sync core. TODO(H3)
