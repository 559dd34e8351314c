//! `stages INPUT.c1z OUTPUT.c1z [LEVEL]`: rewrites the input's latest full sync and prints how long
//! each writer stage took, one `name=value` a line (read by `cargo xtask bench`).

use std::process::ExitCode;

use c1z::WriterOptions;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(output)) = (args.first(), args.get(1)) else {
        eprintln!("usage: stages INPUT.c1z OUTPUT.c1z [LEVEL]");
        return ExitCode::from(2);
    };
    // As charthop-connector's sync writes: repeats kept out as they come, resources' indexes live.
    let mut options = WriterOptions { keep_first: true, live_resource_ids: true, ..WriterOptions::default() };
    if let Some(level) = args.get(2).and_then(|l| l.parse().ok()) {
        options.compression_level = level;
    }
    match c1z::stages::rewrite(input.as_ref(), output.as_ref(), options) {
        Ok(t) => {
            println!("rows={}", t.rows);
            println!("read_s={:.3}", t.read.as_secs_f64());
            println!("read_and_write_s={:.3}", t.read_and_write.as_secs_f64());
            println!("index_and_check_s={:.3}", t.index_and_check.as_secs_f64());
            println!("compress_and_publish_s={:.3}", t.compress_and_publish.as_secs_f64());
            println!("raw_bytes={}", t.raw_bytes);
            println!("compressed_bytes={}", t.compressed_bytes);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("stages: {}", error_reporter::Report::new(&e));
            ExitCode::FAILURE
        }
    }
}
