//! In-process cost of the command engine: one `exec`-style call against a local moto server
//! (parse, serialise, sign, HTTP, parse the response, format), and the cold start of a
//! service model (inflate and parse one embedded model).
//!
//! Run: `cargo bench --bench engine` (starts `moto_server` from `.venv/bin` or `PATH`).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_chatops::aws::{Credentials, Engine, EngineConfig};
use aws_chatops::command::{self, Command as Parsed, ParseContext};
use aws_chatops::models::Models;
use aws_chatops::output::{render, RenderContext};
use aws_chatops::policy::LocalOperator;
use criterion::{criterion_group, criterion_main, Criterion};

struct Moto(Child, String);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    let program = if venv.exists() {
        venv
    } else {
        "moto_server".into()
    };
    let child = Command::new(program)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Moto(child, format!("http://127.0.0.1:{port}"))
}

fn engine_call(c: &mut Criterion) {
    let moto = start_moto();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let engine = Engine::new(EngineConfig {
        endpoint_url: Some(moto.1.clone()),
        max_attempts: 1,
        ..EngineConfig::default()
    });
    let operator = LocalOperator::with_credentials(
        "us-east-1",
        Credentials::new("testing", "testing", None, None, "bench"),
    );
    let models = Models::global();
    let run = |text: &str| {
        let Parsed::Run(invocation) =
            command::parse(text, models, ParseContext::Terminal).expect("the command parses")
        else {
            panic!("not a run command");
        };
        let value = runtime
            .block_on(async {
                let permit = operator
                    .grant(&invocation)
                    .await
                    .unwrap_or_else(|refusal| panic!("{}", refusal.into_denial()));
                engine.call_all(&permit, &invocation).await
            })
            .expect("the call succeeds");
        render(
            &value,
            invocation.globals.output.unwrap_or_default(),
            invocation.globals.query.as_deref(),
            &RenderContext::new(&invocation.operation),
        )
        .expect("the output renders")
    };
    // Two alarms and two log groups to read back.
    for name in ["bench-a", "bench-b"] {
        run(&format!(
            "cloudwatch put-metric-alarm --alarm-name {name} --metric-name CPUUtilization \
             --namespace AWS/EC2 --statistic Average --period 300 --evaluation-periods 1 \
             --threshold 80 --comparison-operator GreaterThanThreshold"
        ));
        run(&format!(
            "logs create-log-group --log-group-name /bench/{name}"
        ));
    }
    c.bench_function("exec cloudwatch describe-alarms (in process, moto)", |b| {
        b.iter(|| run("cloudwatch describe-alarms"))
    });
    c.bench_function("exec logs describe-log-groups (in process, moto)", |b| {
        b.iter(|| run("logs describe-log-groups"))
    });
    c.bench_function("exec cloudwatch describe-alarms --query --output table", |b| {
        b.iter(|| {
            run("cloudwatch describe-alarms --query 'MetricAlarms[].{N: AlarmName, T: Threshold}' --output table")
        })
    });
}

fn model_cold_start(c: &mut Criterion) {
    for service in ["cloudwatch", "ec2", "logs", "s3api"] {
        c.bench_function(&format!("cold start of the {service} model"), |b| {
            b.iter(|| {
                let models = Models::new();
                models.service(service).expect("the model loads")
            })
        });
    }
}

criterion_group!(benches, model_cold_start, engine_call);
criterion_main!(benches);
