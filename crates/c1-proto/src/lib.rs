//! Generated C1 protobuf code (not yet written).
