//! The services go-plugin clients expect beside the provider: health, controller (shutdown),
//! stdio and broker.

use std::pin::Pin;
use std::sync::Arc;

use futures_util::Stream;
use tonic::{Request, Response, Status, Streaming};

use super::proto::go_plugin as wire;
use super::proto::health;

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// Fires once when the client asks the plugin to exit.
#[derive(Clone, Default)]
pub struct ShutdownTrigger {
    notify: Arc<tokio::sync::Notify>,
}

impl ShutdownTrigger {
    pub fn trigger(&self) {
        self.notify.notify_one();
    }

    pub async fn triggered(&self) {
        self.notify.notified().await;
    }
}

pub struct Controller {
    pub shutdown: ShutdownTrigger,
}

#[tonic::async_trait]
impl wire::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(
        &self,
        _request: Request<wire::Empty>,
    ) -> Result<Response<wire::Empty>, Status> {
        tracing::debug!("Terraform asked the plugin to shut down");
        self.shutdown.trigger();
        Ok(Response::new(wire::Empty {}))
    }
}

/// We never write to stdout after the handshake and log to stderr directly, so the stream stays
/// open and silent until the plugin exits.
pub struct Stdio;

#[tonic::async_trait]
impl wire::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = BoxStream<wire::StdioData>;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(Box::pin(futures_util::stream::pending())))
    }
}

/// Terraform never asks a provider for extra connections; the stream is accepted and drained.
pub struct Broker;

#[tonic::async_trait]
impl wire::grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = BoxStream<wire::ConnInfo>;

    async fn start_stream(
        &self,
        request: Request<Streaming<wire::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        let mut incoming = request.into_inner();
        tokio::spawn(async move { while let Ok(Some(_)) = incoming.message().await {} });
        Ok(Response::new(Box::pin(futures_util::stream::pending())))
    }
}

/// go-plugin pings the service named "plugin"; the empty name means the whole server.
pub struct Health;

fn status_of(service: &str) -> health::health_check_response::ServingStatus {
    if service.is_empty() || service == "plugin" {
        health::health_check_response::ServingStatus::Serving
    } else {
        health::health_check_response::ServingStatus::ServiceUnknown
    }
}

#[tonic::async_trait]
impl health::health_server::Health for Health {
    type WatchStream = BoxStream<health::HealthCheckResponse>;

    async fn check(
        &self,
        request: Request<health::HealthCheckRequest>,
    ) -> Result<Response<health::HealthCheckResponse>, Status> {
        let service = request.into_inner().service;
        if status_of(&service) == health::health_check_response::ServingStatus::ServiceUnknown {
            return Err(Status::not_found(format!("unknown service {service:?}")));
        }
        Ok(Response::new(health::HealthCheckResponse {
            status: status_of(&service) as i32,
        }))
    }

    async fn watch(
        &self,
        request: Request<health::HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        let status = status_of(&request.into_inner().service) as i32;
        let first =
            futures_util::stream::once(async move { Ok(health::HealthCheckResponse { status }) });
        use futures_util::StreamExt as _;
        Ok(Response::new(Box::pin(
            first.chain(futures_util::stream::pending()),
        )))
    }
}
