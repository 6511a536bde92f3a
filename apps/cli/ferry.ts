#!/usr/bin/env bun
/**
 * The `ferry` command: `serve` runs the Core API and the proxy in one
 * process; the rest are operator tools over the same store.
 */
import { Command } from "commander";
import { auditCommand } from "./audit.ts";
import { rebuildCommand } from "./projections.ts";
import { serveCommand } from "./serve.ts";
import { workerCommand } from "./worker.ts";
import { tokenCreateCommand, userCreateCommand } from "./users.ts";

const program = new Command()
  .name("ferry")
  .description("Self-hostable integration proxy")
  .showHelpAfterError();

program
  .command("serve")
  .description(
    "run the Core API, the proxy and a delivery worker (embedded store unless DATABASE_URL is set)",
  )
  .action(serveCommand);

program
  .command("worker")
  .description(
    "run a delivery worker for queued requests alone (several may share one Postgres; `serve` runs one unless FERRY_WORKER=off)",
  )
  .action(workerCommand);

const token = program.command("token").description("user tokens");
token
  .command("create")
  .description("issue a new token for a user (the admin user by default) and print it once")
  .option("--user <userId>", "user to issue the token for")
  .option("--name <name>", "a label for the token", "cli")
  .option("--read-only", "the token can read but change nothing", false)
  .action(tokenCreateCommand);

const user = program.command("user").description("users");
user
  .command("create <userName>")
  .description("create a user and print its first token once")
  .action(userCreateCommand);

program
  .command("audit <kind> <id>")
  .description("print the history of a credential, target or proxy (stop the server first)")
  .option("--json", "print the Core API's JSON instead of a table", false)
  .option("--as-of <time>", "print the resource as it stood at this ISO-8601 time")
  .action(auditCommand);

const projections = program.command("projections").description("read models");
projections
  .command("rebuild [name]")
  .description(
    "drop a read model (request_log) and rebuild it from the event log, with progress; on the embedded store, stop the server first",
  )
  .action(rebuildCommand);

await program.parseAsync(process.argv);
