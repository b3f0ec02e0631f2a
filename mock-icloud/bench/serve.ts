// The mock-icloud command from source (for benchmarks that run the mock in its own process).
import { main } from '../cli.js';

process.exitCode = await main(process.argv.slice(2));
