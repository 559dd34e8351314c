//! ChartHop REST client (not yet written).
