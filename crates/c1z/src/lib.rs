//! The .c1z v1 file (not yet written).
