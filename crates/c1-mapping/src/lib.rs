//! ChartHop domain to C1 objects (not yet written).
