//! The one generator that turns `proto/` into `crates/c1-proto/src/gen/`.
//!
//! Included with `#[path]` by `cargo xtask codegen` (writes the files) and by c1-proto's
//! freshness test (regenerates in memory and compares), so both always agree. Pure Rust:
//! protox compiles the `.proto` files (no `protoc`), prost/tonic generate the code and
//! prettyplease formats it (no `rustfmt` binary, so the output never depends on the machine).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use prost::Message as _;

/// What a stale check tells the user to do.
pub const STALE_HINT: &str = "generated code is stale: run `cargo xtask codegen`";

/// The encoded `FileDescriptorSet` (no source info, imports included) beside the code.
pub const DESCRIPTOR_FILE: &str = "descriptor.bin";

/// Generated files: file name inside `src/gen/` -> contents, in a stable order.
pub type Generated = BTreeMap<String, Vec<u8>>;

/// `<workspace>/proto`.
pub fn proto_dir(workspace_root: &Path) -> PathBuf {
    workspace_root.join("proto")
}

/// `<workspace>/crates/c1-proto/src/gen`.
pub fn gen_dir(workspace_root: &Path) -> PathBuf {
    workspace_root.join("crates").join("c1-proto").join("src").join("gen")
}

/// Compiles every `.proto` under `proto_dir` and generates one Rust file per package plus
/// the descriptor set.
pub fn generate(proto_dir: &Path) -> io::Result<Generated> {
    let files = proto_files(proto_dir)?;
    if files.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no .proto files under {}", proto_dir.display()),
        ));
    }
    let mut compiler = protox::Compiler::new([proto_dir]).map_err(|e| protox_error(proto_dir, e))?;
    compiler.include_imports(true).include_source_info(true);
    compiler.open_files(&files).map_err(|e| protox_error(proto_dir, e))?;
    let mut fds = compiler.file_descriptor_set();

    // Well-known types are passed too (prost needs their shapes) but generate nothing:
    // prost-build maps `.google.protobuf` to `::prost_types` by default.
    let requests: Vec<_> = fds
        .file
        .iter()
        .map(|file| (prost_build::Module::from_protobuf_package_name(file.package()), file.clone()))
        .collect();

    let mut config = tonic_prost_build::Config::new();
    config
        .btree_map(["."])
        .enable_type_names()
        .type_name_domain(["."], "type.googleapis.com")
        .format(true)
        .service_generator(
            tonic_prost_build::configure()
                .build_client(true)
                .build_server(true)
                .build_transport(true)
                .service_generator(),
        );
    let modules = config.generate(requests)?;

    let mut generated = Generated::new();
    for (module, code) in modules {
        generated.insert(module.to_file_name_or("_"), code.into_bytes());
    }

    // Comments only matter to the code generator; keep the runtime descriptor small.
    for file in &mut fds.file {
        file.source_code_info = None;
    }
    generated.insert(DESCRIPTOR_FILE.to_owned(), fds.encode_to_vec());
    Ok(generated)
}

/// Writes `generated` into `gen_dir`, removing files the generator no longer produces.
pub fn write(gen_dir: &Path, generated: &Generated) -> io::Result<()> {
    fs::create_dir_all(gen_dir)?;
    for name in existing_files(gen_dir)? {
        if !generated.contains_key(&name) {
            fs::remove_file(gen_dir.join(&name))?;
        }
    }
    for (name, contents) in generated {
        let path = gen_dir.join(name);
        if fs::read(&path).ok().as_deref() != Some(contents.as_slice()) {
            fs::write(&path, contents)?;
        }
    }
    Ok(())
}

/// Names of files in `gen_dir` that differ from `generated`, are missing or are extra.
pub fn stale_files(gen_dir: &Path, generated: &Generated) -> io::Result<Vec<String>> {
    let mut stale = Vec::new();
    for (name, contents) in generated {
        if fs::read(gen_dir.join(name)).ok().as_deref() != Some(contents.as_slice()) {
            stale.push(name.clone());
        }
    }
    if gen_dir.exists() {
        stale.extend(existing_files(gen_dir)?.into_iter().filter(|name| !generated.contains_key(name)));
    }
    Ok(stale)
}

/// `.proto` paths relative to `root`, with `/` separators, sorted.
fn proto_files(root: &Path) -> io::Result<Vec<String>> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "proto") {
                let relative = path.strip_prefix(root).map_err(io::Error::other)?;
                let parts: Vec<_> = relative.iter().map(|part| part.to_string_lossy()).collect();
                found.push(parts.join("/"));
            }
        }
    }
    found.sort();
    Ok(found)
}

fn existing_files(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

fn protox_error(proto_dir: &Path, error: protox::Error) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("could not compile the .proto files under {}: {error}", proto_dir.display()),
    )
}
