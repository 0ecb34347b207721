//! A GraphQL-over-WebSocket client for the tests, speaking graphql-transport-ws (or the legacy
//! graphql-ws) frame by frame, so that close codes and message order can be asserted.
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

pub const TRANSPORT_WS: &str = "graphql-transport-ws";
pub const LEGACY_WS: &str = "graphql-ws";

pub struct Ws {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

/// What arrived next.
#[derive(Debug)]
pub enum Frame {
    Json(Value),
    Close(u16, String),
    /// Nothing within the wait.
    Silence,
    Ended,
}

impl Ws {
    pub async fn connect(base: &str, protocol: &str) -> Ws {
        let url = format!("{}/graphql/ws", base.replacen("http://", "ws://", 1));
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
        let (stream, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("WebSocket handshake");
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            protocol,
            "the server speaks the offered protocol"
        );
        Ws { stream }
    }

    /// A client whose socket takes in little (a 4 KiB receive buffer): one that stops reading
    /// backs up into the server quickly.
    pub async fn open_with_small_buffer(base: &str, token: &str) -> Ws {
        let address = base.trim_start_matches("http://").parse().unwrap();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let tcp = socket.connect(address).await.unwrap();
        let url = format!("ws://{}/graphql/ws", base.trim_start_matches("http://"));
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", TRANSPORT_WS.parse().unwrap());
        let (stream, _) =
            tokio_tungstenite::client_async(request, tokio_tungstenite::MaybeTlsStream::Plain(tcp))
                .await
                .expect("WebSocket handshake");
        let mut ws = Ws { stream };
        ws.init(token).await;
        ws
    }

    /// Connects and initialises with `token`, asserting the acknowledgement.
    pub async fn open(base: &str, token: &str) -> Ws {
        let mut ws = Ws::connect(base, TRANSPORT_WS).await;
        ws.init(token).await;
        ws
    }

    pub async fn send(&mut self, message: Value) {
        self.stream
            .send(Message::Text(message.to_string().into()))
            .await
            .unwrap();
    }

    /// The next frame, skipping the server's keep-alive pings.
    pub async fn next(&mut self, wait: Duration) -> Frame {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let Ok(frame) = tokio::time::timeout_at(deadline, self.stream.next()).await else {
                return Frame::Silence;
            };
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    if matches!(value["type"].as_str(), Some("ping" | "ka")) {
                        let pong = Message::Text(json!({ "type": "pong" }).to_string().into());
                        if value["type"] == "ping" && self.stream.send(pong).await.is_err() {
                            return Frame::Ended;
                        }
                        continue;
                    }
                    return Frame::Json(value);
                }
                Some(Ok(Message::Close(close))) => {
                    return match close {
                        Some(c) => Frame::Close(u16::from(c.code), c.reason.to_string()),
                        None => Frame::Close(u16::from(CloseCode::Status), String::new()),
                    };
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Frame::Ended,
            }
        }
    }

    pub async fn init(&mut self, token: &str) {
        self.send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }))
            .await;
        match self.next(Duration::from_secs(5)).await {
            Frame::Json(v) if v["type"] == "connection_ack" => {}
            other => panic!("expected connection_ack, got {other:?}"),
        }
    }

    /// Starts a subscription, then waits until the server has taken it up (a ping answered
    /// after it, and a moment for the subscription to register).
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }))
            .await;
        self.send(json!({ "type": "ping" })).await;
        match self.next(Duration::from_secs(5)).await {
            Frame::Json(v) if v["type"] == "pong" => {}
            other => panic!("expected pong after subscribe, got {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    /// The payload of the next `next` message, or None when nothing came within `wait`.
    pub async fn event(&mut self, wait: Duration) -> Option<Value> {
        match self.next(wait).await {
            Frame::Json(v) if v["type"] == "next" || v["type"] == "data" => {
                Some(v["payload"].clone())
            }
            Frame::Silence => None,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// Every event that arrives until `wait` passes with nothing new.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let mut events = Vec::new();
        while let Some(event) = self.event(wait).await {
            events.push(event);
        }
        events
    }

    /// The close the server sends next (code and reason).
    pub async fn closed(&mut self, wait: Duration) -> (u16, String) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match self.next(deadline - tokio::time::Instant::now()).await {
                Frame::Close(code, reason) => return (code, reason),
                Frame::Json(_) => continue,
                other => panic!("expected a close, got {other:?}"),
            }
        }
    }
}
