//! Simulated Dapodik. TODO(H2)
