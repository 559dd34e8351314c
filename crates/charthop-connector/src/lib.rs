//! The ChartHop sync (not yet written).
