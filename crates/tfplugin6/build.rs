//! Generates the gRPC bindings from `proto/` with a pure-Rust protobuf compiler, so a fresh clone
//! builds with `cargo build` alone (no system `protoc`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = [
        "proto/tfplugin6.proto",
        "proto/plugin.proto",
        "proto/health.proto",
    ];
    for proto in protos {
        println!("cargo:rerun-if-changed={proto}");
    }
    let descriptors = protox::compile(protos, ["proto"])?;
    tonic_prost_build::configure()
        // The tests drive the real binary as Terraform would, so they need the client side too.
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}
