//! Messages and service traits generated from `proto/` by `build.rs`.

#![allow(clippy::all, missing_docs)]

pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

pub mod go_plugin {
    tonic::include_proto!("plugin");
}

pub mod health {
    tonic::include_proto!("grpc.health.v1");
}
