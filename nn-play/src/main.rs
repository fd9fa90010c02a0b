use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Result, bail};
use clap::Parser;
use nn_play::Playground;
use nn_run::checkpoint::ChosenNetwork;
use nn_run::run_dir::RunDir;

/// Draw a digit in the browser and watch the trained network read it.
///
/// Serves a page on 127.0.0.1 (this machine only) and prints its address.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// The port to listen on (0: any free port)
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The checkpoint to use [default: the best of the newest run under runs/]
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let network = ChosenNetwork::open(cli.checkpoint.as_deref(), &RunDir::default_parent())?;
    println!("{}", network.describe());
    let description = format!(
        "{}, from {}",
        network.checkpoint.summary(),
        network.path.display()
    );

    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, cli.port));
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(e) if e.kind() == ErrorKind::AddrInUse => bail!(
            "port {} on 127.0.0.1 is taken (is nn-play already running? then open http://127.0.0.1:{0}/); choose another with --port, e.g. --port {}",
            cli.port,
            cli.port.wrapping_add(1).max(1024)
        ),
        Err(e) => bail!("cannot listen on {address}: {e}"),
    };
    let address = listener.local_addr()?;
    println!("nn-play is at http://{address}/ (Ctrl-C stops it)");

    let playground = Arc::new(Playground::new(network.checkpoint.model, description));
    let ctrl_c = async {
        // If the signal cannot be watched, serve until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    nn_play::serve(listener, playground, ctrl_c).await?;
    println!("nn-play stopped");
    Ok(())
}
