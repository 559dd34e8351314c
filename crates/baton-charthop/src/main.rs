//! The baton-charthop binary (not yet written).

fn main() {
    eprintln!("baton-charthop: not yet written");
    std::process::exit(2);
}
