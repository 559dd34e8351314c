//! C1 service mode (not yet written).
