//! In-memory fake ChartHop API (not yet written).
