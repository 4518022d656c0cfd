/*
 * por_prove and its background worker.
 *
 * A SQL function runs inside its caller's transaction and cannot commit, but
 * proving a large snapshot takes minutes and must survive a cancel or a
 * crash.  So por_prove starts a dynamic background worker that does the work
 * in transactions of its own - the tree, then one transaction per batch
 * proof, then the final check - recording its phase and count in
 * por.prove_progress as it goes, and waits for it.  Finished batches stay
 * committed whatever happens to the caller; the next por_prove skips them.
 *
 * The worker connects as the owner of the por schema and holds a
 * session-level advisory lock on the snapshot, so concurrent por_prove calls
 * on one snapshot run one after the other: a later worker waits for the lock,
 * then looks again with a fresh MVCC snapshot and finds the snapshot proven
 * (or resumes what a failed run left).
 *
 * Every run ends in por.run_log with its outcome: success, failed (SQLSTATE
 * and message), cancelled (a cancel or termination of the worker, or a cancel
 * of its caller, which terminates the worker: SIGTERM is turned into a query
 * cancel so the run can record it), or crashed (the worker vanished without
 * recording anything: recorded by the next run of the snapshot, and shown at
 * once by por.prove_status).  The waiting por_prove re-raises the outcome of
 * its own worker's run.
 */
#include "postgres.h"

#include <inttypes.h>
#include <sys/resource.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "agg/agg.h"
#include "por/batch_proof.h"
#include "por_pg.h"
#include "util/threadpool.h"
#include "por/tree.h"

/* What the caller passes to the worker in bgw_extra. */
typedef struct {
    Oid database;
    Oid role;                /* owner of schema por */
    int threads;             /* por.threads of the caller */
    int fan_in_log2;         /* por.fan_in_log2 of the caller */
    char run_by[NAMEDATALEN];
} por_worker_args;

StaticAssertDecl(sizeof(por_worker_args) <= BGW_EXTRALEN, "worker arguments must fit in bgw_extra");

PGDLLEXPORT void por_prove_worker_main(Datum main_arg);

/* Phases of a run that has not ended (also in por.prove_status). */
#define RUNNING_PHASES "('tree', 'setup', 'batches', 'aggregation', 'finishing')"

/* The run of this worker process, for recording its outcome when it ends early. */
static struct {
    bool holds_lock;         /* the run began: the progress row is this worker's */
    TimestampTz started;
    uint64_t done, total;
} this_run;
static volatile sig_atomic_t terminate_requested;

/*
 * SIGTERM (a canceled caller, pg_terminate_backend, a server shutdown) as a
 * query cancel: the run stops at its next interrupt check with an ERROR that
 * the worker catches to record the cancellation, instead of exiting at once.
 */
static void worker_sigterm(SIGNAL_ARGS)
{
    int save_errno = errno;
    terminate_requested = true;
    InterruptPending = true;
    QueryCancelPending = true;
    SetLatch(MyLatch);
    errno = save_errno;
}

/* Starts a worker transaction with SPI and a snapshot. */
static void worker_begin(const char *activity)
{
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "por: SPI_connect failed");
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, activity);
}

static void worker_commit(void)
{
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_activity(STATE_IDLE, NULL);
}

/* Records the phase and count of the run (inside a worker transaction). */
static void progress_set(int64 snapshot_id, const char *phase, uint64_t done, uint64_t total, bool starting,
                         const char *run_by)
{
    Oid types[6] = {INT8OID, TEXTOID, INT4OID, INT4OID, INT4OID, TEXTOID};
    Datum values[6] = {Int64GetDatum(snapshot_id), CStringGetTextDatum(phase), Int32GetDatum((int32)done),
                       Int32GetDatum((int32)total), Int32GetDatum(MyProcPid), CStringGetTextDatum(run_by)};
    const char *sql = starting
        ? "INSERT INTO por.prove_progress AS p (snapshot_id, phase, batches_done, batches_total, worker_pid,"
          " started_at, updated_at, run_by) VALUES ($1, $2, $3, $4, $5, clock_timestamp(), clock_timestamp(), $6)"
          " ON CONFLICT (snapshot_id) DO UPDATE SET phase = $2, batches_done = $3, batches_total = $4,"
          " worker_pid = $5, started_at = clock_timestamp(), updated_at = clock_timestamp(),"
          " error_sqlstate = NULL, error_message = NULL, run_by = $6, agg_level = NULL, agg_nodes_done = NULL,"
          " agg_nodes_total = NULL"
        : "UPDATE por.prove_progress SET phase = $2, batches_done = $3, batches_total = $4, worker_pid = $5,"
          " updated_at = clock_timestamp() WHERE snapshot_id = $1";
    if (SPI_execute_with_args(sql, 6, types, values, NULL, false, 0) < 0)
        elog(ERROR, "por: recording progress failed");
    this_run.done = done;
    this_run.total = total;
}

/* Records the aggregation phase: the level being proven and the nodes done of all levels. */
static void progress_agg(int64 snapshot_id, unsigned level, uint64_t done, uint64_t total)
{
    Oid types[4] = {INT8OID, INT4OID, INT4OID, INT4OID};
    Datum values[4] = {Int64GetDatum(snapshot_id), Int32GetDatum((int32)level), Int32GetDatum((int32)done),
                       Int32GetDatum((int32)total)};
    if (SPI_execute_with_args("UPDATE por.prove_progress SET phase = 'aggregation', agg_level = $2, agg_nodes_done = $3,"
                              " agg_nodes_total = $4, updated_at = clock_timestamp() WHERE snapshot_id = $1",
                              4, types, values, NULL, false, 0) < 0)
        elog(ERROR, "por: recording progress failed");
}

/*
 * A run whose progress says it has not ended crashed, when the caller holds
 * the snapshot's lock (so no worker of it is alive): marks it so and logs it,
 * as ended at its last progress.  Inside a transaction.
 */
static void record_crash(int64 snapshot_id)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    if (SPI_execute_with_args(
            "WITH c AS (UPDATE por.prove_progress SET phase = 'crashed', error_sqlstate = NULL,"
            "             error_message = 'the proving worker (pid ' || worker_pid || ') stopped without recording an outcome'"
            "            WHERE snapshot_id = $1 AND phase IN " RUNNING_PHASES
            "        RETURNING *)"
            " INSERT INTO por.run_log (snapshot_id, action, started_at, finished_at, run_by, outcome, error_message, detail)"
            " SELECT snapshot_id, 'prove', started_at, updated_at, coalesce(run_by, current_user), 'crashed', error_message,"
            "        jsonb_build_object('worker_pid', worker_pid, 'phase', 'crashed', 'batches_done', batches_done,"
            "                           'batches_total', batches_total)"
            "   FROM c",
            1, types, values, NULL, false, 0) < 0)
        elog(ERROR, "por: recording a crashed run failed");
}

/* Batches of the snapshot already proven (a resumed run skips them). */
static bool *batches_done(int64 snapshot_id, uint64_t batches, uint64_t *count)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    bool *done = MemoryContextAllocZero(TopMemoryContext, batches);
    *count = 0;
    if (SPI_execute_with_args("SELECT batch_no FROM por.batch_proofs WHERE snapshot_id = $1", 1, types, values, NULL,
                              true, 0) != SPI_OK_SELECT)
        elog(ERROR, "por: reading batch proofs failed");
    for (uint64 i = 0; i < SPI_processed; i++) {
        bool isnull;
        int32 b = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
        if (b >= 0 && (uint64_t)b < batches && !done[b]) {
            done[b] = true;
            (*count)++;
        }
    }
    return done;
}

static void batch_prover_free(por_batch_prover *bp)
{
    por_batch_vk_free(&bp->vk);
    por_plonk_prover_free(bp->prover);
    por_batch_circuit_free(bp->circuit);
    memset(bp, 0, sizeof(*bp));
}

/* The whole run; errors propagate to por_prove_worker_main. */
static void worker_run(int64 snapshot_id, const por_worker_args *args)
{
    por_snapshot_info info;
    por_frozen frozen;
    TimestampTz tree_done;
    uint64_t batches, done_count;
    bool *done;
    por_pool *pool;
    por_batch_prover bp;
    const char *why = NULL;
    char activity[96];
    TimestampTz batches_end, aggregation_end;
    por_agg_shape shape;
    por_agg_keys keys;
    por_agg_public final_statement;
    unsigned levels;
    uint64_t nodes_total = 0, nodes_done;
    size_t final_bytes = 0;
    struct rusage usage;

    /* 1: lock (kept until exit), see what is left */
    this_run.started = GetCurrentTimestamp();
    worker_begin("por prove: waiting for the snapshot");
    por_lock_snapshot_session(snapshot_id);
    this_run.holds_lock = true;
    /* what a run before ours committed while we waited is visible only to a snapshot taken now */
    PopActiveSnapshot();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, "por prove: starting");
    por_snapshot_load(snapshot_id, &info);
    if (info.proven) {
        this_run.holds_lock = false; /* nothing to do: not a run */
        worker_commit();
        return;
    }
    record_crash(snapshot_id);
    batches = info.params.leaf_count >> info.params.batch_log2;
    done = batches_done(snapshot_id, batches, &done_count);
    progress_set(snapshot_id, "tree", done_count, batches, true, args->run_by);
    worker_commit();

    /* the frozen commitment, checked once per run, held for its whole length */
    worker_begin("por prove: checking the frozen commitment");
    por_snapshot_load(snapshot_id, &info);
    por_check_params_digest(snapshot_id, &info);
    por_frozen_load(snapshot_id, &info, &frozen, TopMemoryContext);
    worker_commit();

    pool = por_pool_create((unsigned)args->threads);
    if (pool == NULL)
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("could not start worker threads")));

    /* 2: the tree from the frozen leaves, on every run: stored once, checked when resuming */
    worker_begin("por prove: tree");
    por_snapshot_load(snapshot_id, &info);
    por_prove_tree(snapshot_id, &info, &frozen, pool, false);
    tree_done = GetCurrentTimestamp();
    progress_set(snapshot_id, "setup", done_count, batches, false, args->run_by);
    worker_commit();

    /* 3: one transaction per batch proof */
    memset(&bp, 0, sizeof(bp));
    if (done_count < batches) {
        CHECK_FOR_INTERRUPTS();
        bp.circuit = por_batch_circuit_build(info.params.batch_log2, info.params.asset_count, info.params.balance_bits,
                                             true, NULL, &why);
        if (bp.circuit != NULL)
            bp.prover = por_plonk_setup(bp.circuit->circuit, pool, &why);
        if (bp.prover == NULL || por_batch_vk_from_prover(bp.prover, bp.circuit, &bp.vk) != 0) {
            batch_prover_free(&bp);
            ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                            errmsg("could not set up the batch circuit for %u accounts x %u assets",
                                   1u << info.params.batch_log2, info.params.asset_count),
                            errdetail("%s", why ? why : "out of memory")));
        }
    }
    for (uint64_t b = 0; b < batches; b++) {
        if (done[b])
            continue;
        CHECK_FOR_INTERRUPTS();
        snprintf(activity, sizeof(activity), "por prove: batch %" PRIu64 " of %" PRIu64, b + 1, batches);
        worker_begin(activity);
        por_snapshot_load(snapshot_id, &info);
        por_prove_batch(snapshot_id, &info, &frozen, &bp, pool, b);
        done[b] = true;
        done_count++;
        progress_set(snapshot_id, done_count == batches ? "aggregation" : "batches", done_count, batches, false,
                     args->run_by);
        worker_commit();
    }
    batch_prover_free(&bp);
    batches_end = GetCurrentTimestamp();

    /* 4: the aggregation levels, one transaction per node; keys derived from the circuit definitions */
    shape = (por_agg_shape){.batch_log2 = info.params.batch_log2, .asset_count = info.params.asset_count,
                            .balance_bits = info.params.balance_bits, .fan_in_log2 = (uint32_t)args->fan_in_log2};
    levels = por_agg_levels(batches, shape.fan_in_log2);
    for (unsigned l = 1; l <= levels; l++)
        nodes_total += por_agg_level_size(batches, shape.fan_in_log2, l);
    nodes_total++; /* the compression proof of the top node */
    worker_begin("por prove: aggregation keys");
    nodes_done = por_agg_nodes_stored(snapshot_id, shape.fan_in_log2);
    progress_set(snapshot_id, "aggregation", batches, batches, false, args->run_by);
    progress_agg(snapshot_id, 1, nodes_done, nodes_total);
    worker_commit();
    CHECK_FOR_INTERRUPTS();
    memset(&keys, 0, sizeof(keys));
    if (por_agg_keys_derive(&shape, levels, nodes_done < nodes_total, NULL, pool, &keys, &why) != 0)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("could not set up the aggregation circuits for %u accounts x %u assets per batch,"
                               " fan-in %u, %u levels",
                               1u << shape.batch_log2, shape.asset_count, 1u << shape.fan_in_log2, levels),
                        errdetail("%s", why ? why : "out of memory")));
    for (unsigned l = 1; l <= levels; l++) {
        uint64_t size = por_agg_level_size(batches, shape.fan_in_log2, l);
        for (uint64_t j = 0; j < size; j++) {
            CHECK_FOR_INTERRUPTS();
            snprintf(activity, sizeof(activity), "por prove: aggregation level %u of %u, node %" PRIu64 " of %" PRIu64,
                     l, levels, j + 1, size);
            worker_begin(activity);
            por_snapshot_load(snapshot_id, &info);
            if (por_prove_agg_node(snapshot_id, &info, &frozen, &keys, pool, l, j))
                progress_agg(snapshot_id, l, ++nodes_done, nodes_total);
            worker_commit();
        }
    }
    /* the compression proof of the top node (the published final proof), in a transaction of its own */
    CHECK_FOR_INTERRUPTS();
    worker_begin("por prove: compressing the top aggregation proof");
    if (por_prove_compress(snapshot_id, &keys, pool))
        progress_agg(snapshot_id, levels + 1, ++nodes_done, nodes_total);
    worker_commit();
    aggregation_end = GetCurrentTimestamp();

    /* 5: check everything against the frozen commitment again, the final proof against it, publish its root */
    worker_begin("por prove: finishing");
    progress_set(snapshot_id, "finishing", batches, batches, false, args->run_by);
    por_snapshot_load(snapshot_id, &info);
    por_check_params_digest(snapshot_id, &info);
    por_prove_tree(snapshot_id, &info, &frozen, pool, true);
    por_final_check(snapshot_id, &info, &frozen, &keys, pool, &final_statement, &final_bytes);
    getrusage(RUSAGE_SELF, &usage);
    por_prove_finish(snapshot_id, &info, &frozen, this_run.started, tree_done, batches_end, aggregation_end,
                     &final_statement,
                     psprintf("\"fan_in\": %u, \"levels\": %u, \"aggregation_nodes\": %" PRIu64
                              ", \"aggregation_key_seconds\": %.3f, \"final_proof_bytes\": %zu,"
                              " \"peak_rss_mb\": %ld",
                              1u << shape.fan_in_log2, levels, nodes_total, keys.derive_ms / 1000.0, final_bytes,
                              usage.ru_maxrss / 1024),
                     args->run_by);
    progress_set(snapshot_id, "done", batches, batches, false, args->run_by);
    worker_commit();
    por_agg_keys_free(&keys);
    por_pool_destroy(pool);
}

/*
 * Records how a run ended early (after its transaction was aborted): the
 * progress row, if the run had begun (else it belongs to another run), and a
 * run_log entry, which the waiting caller reads to re-raise the error.
 */
static void record_outcome(int64 snapshot_id, const por_worker_args *args, const ErrorData *edata)
{
    bool cancelled = edata->sqlerrcode == ERRCODE_QUERY_CANCELED;
    const char *outcome = cancelled ? "cancelled" : "failed";
    const char *message = cancelled && terminate_requested
        ? "canceling the run: por_prove was canceled or the worker was terminated"
        : edata->detail ? psprintf("%s (%s)", edata->message, edata->detail) : edata->message;
    char *detail = psprintf("{\"worker_pid\": %d, \"phase\": \"%s\", \"batches_done\": %" PRIu64
                            ", \"batches_total\": %" PRIu64 "}",
                            MyProcPid, this_run.holds_lock ? "running" : "waiting", this_run.done, this_run.total);
    Oid types[8] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, BOOLOID};
    Datum values[8] = {Int64GetDatum(snapshot_id),
                       CStringGetTextDatum(outcome),
                       CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode)),
                       CStringGetTextDatum(message),
                       TimestampTzGetDatum(this_run.started),
                       CStringGetTextDatum(detail),
                       CStringGetTextDatum(args->run_by),
                       BoolGetDatum(this_run.holds_lock)};

    worker_begin("por prove: recording the outcome");
    /* the run's progress row, made here if the run failed before writing it */
    if (SPI_execute_with_args("WITH p AS (INSERT INTO por.prove_progress AS p (snapshot_id, phase, batches_done,"
                              "              batches_total, worker_pid, started_at, updated_at, run_by,"
                              "              error_sqlstate, error_message)"
                              "            SELECT $1, $2, 0, 0, pg_backend_pid(), $5, clock_timestamp(), $7, $3, $4 WHERE $8"
                              "            ON CONFLICT (snapshot_id) DO UPDATE SET phase = $2, error_sqlstate = $3,"
                              "              error_message = $4, updated_at = clock_timestamp() RETURNING 1)"
                              " INSERT INTO por.run_log (snapshot_id, action, started_at, run_by, outcome,"
                              "                          error_sqlstate, error_message, detail)"
                              " VALUES ($1, 'prove', $5, $7, $2, $3, $4, $6::jsonb)",
                              8, types, values, NULL, false, 0) < 0)
        elog(LOG, "por: could not record the outcome of the run");
    worker_commit();
}

/* Entry point of the proving worker; main_arg is the snapshot id. */
void por_prove_worker_main(Datum main_arg)
{
    int64 snapshot_id = DatumGetInt64(main_arg);
    por_worker_args args;

    memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));
    pqsignal(SIGTERM, worker_sigterm);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnectionByOid(args.database, args.role, 0);
    pgstat_report_appname("por prove");

    PG_TRY();
    {
        worker_run(snapshot_id, &args);
    }
    PG_CATCH();
    {
        ErrorData *edata;
        MemoryContextSwitchTo(TopMemoryContext);
        edata = CopyErrorData();
        FlushErrorState();
        AbortOutOfAnyTransaction();
        /* the server log gets the full report; the caller gets SQLSTATE and message */
        ereport(LOG, (errmsg("por prove of snapshot %" PRId64 " %s: %s", snapshot_id,
                             edata->sqlerrcode == ERRCODE_QUERY_CANCELED ? "was canceled" : "failed", edata->message)));
        /* a second SIGTERM during the recording would cancel it: the recording is short, let it finish */
        QueryCancelPending = false;
        HOLD_CANCEL_INTERRUPTS();
        record_outcome(snapshot_id, &args, edata);
        RESUME_CANCEL_INTERRUPTS();
        proc_exit(1);
    }
    PG_END_TRY();
    proc_exit(0);
}

/*
 * After the worker stopped: the root if the snapshot is proven (by this run or
 * another), else the outcome its run logged, re-raised.  A worker that logged
 * nothing crashed (this transaction ends in the error, so the next run logs it).
 */
static bytea *outcome(int64 snapshot_id, pid_t worker_pid, TimestampTz called, MemoryContext result_ctx)
{
    Oid types[3] = {INT8OID, INT4OID, TIMESTAMPTZOID};
    Datum values[3] = {Int64GetDatum(snapshot_id), Int32GetDatum((int32)worker_pid), TimestampTzGetDatum(called)};
    char *outcome, *sqlstate, *message;
    bytea *root;
    bool isnull;

    if (SPI_execute_with_args("SELECT s.root, l.outcome, l.error_sqlstate, l.error_message FROM por.snapshots s"
                              " LEFT JOIN LATERAL (SELECT * FROM por.run_log l WHERE l.snapshot_id = s.snapshot_id"
                              "                      AND l.action = 'prove' AND l.started_at >= $3"
                              "                      AND (l.detail ->> 'worker_pid')::int = $2"
                              "                    ORDER BY l.run_id DESC LIMIT 1) l ON true"
                              " WHERE s.snapshot_id = $1",
                              3, types, values, NULL, false, 1) != SPI_OK_SELECT ||
        SPI_processed != 1)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("snapshot %" PRId64 " does not exist", snapshot_id)));
    {
        Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        if (!isnull) {
            MemoryContext old = MemoryContextSwitchTo(result_ctx);
            root = DatumGetByteaPCopy(d);
            MemoryContextSwitchTo(old);
            return root;
        }
    }
    outcome = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
    sqlstate = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
    message = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);
    if (outcome != NULL && sqlstate != NULL && strlen(sqlstate) == 5)
        ereport(ERROR, (errcode(MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2], sqlstate[3], sqlstate[4])),
                        errmsg("por_prove(%" PRId64 ") %s: %s", snapshot_id,
                               strcmp(outcome, "cancelled") == 0 ? "was canceled" : "failed",
                               message ? message : "unknown error"),
                        errhint("Finished batches are kept; por_prove resumes after the cause is fixed.")));
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("the proving worker of snapshot %" PRId64 " stopped before finishing", snapshot_id),
                    errdetail("It recorded no outcome: it crashed or was killed.  por.run_log and por.prove_status "
                              "say how far it got."),
                    errhint("Run por_prove(%" PRId64 ") again to resume; the server log says why it stopped.",
                            snapshot_id)));
    pg_unreachable();
}

PG_FUNCTION_INFO_V1(por_prove);
/* por_prove(snapshot_id bigint) RETURNS bytea: proves in a worker, returns the root. */
Datum por_prove(PG_FUNCTION_ARGS)
{
    int64 snapshot_id = PG_GETARG_INT64(0);
    MemoryContext caller_ctx = CurrentMemoryContext;
    por_snapshot_info info;
    BackgroundWorker worker;
    BackgroundWorkerHandle *handle;
    por_worker_args args;
    BgwHandleStatus status;
    pid_t pid = 0;
    bytea *result;
    TimestampTz called = GetCurrentTimestamp();

    if (RecoveryInProgress())
        ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                        errmsg("por_prove cannot run on a server in recovery"),
                        errhint("Prove on the primary; proofs replicate like any other row.")));
    if (IsolationUsesXactSnapshot())
        ereport(ERROR, (errcode(ERRCODE_INVALID_TRANSACTION_STATE),
                        errmsg("por_prove must run at READ COMMITTED isolation"),
                        errdetail("It waits for a worker whose commits a %s snapshot would not see.",
                                  IsolationIsSerializable() ? "SERIALIZABLE" : "REPEATABLE READ")));
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "por: SPI_connect failed");
    por_refuse_snapshot_of_this_transaction(snapshot_id);
    por_snapshot_load(snapshot_id, &info);
    if (info.proven) {
        MemoryContextSwitchTo(caller_ctx);
        result = por_digest_to_bytea(&info.root);
        SPI_finish();
        PG_RETURN_BYTEA_P(result);
    }
    memset(&args, 0, sizeof(args));
    args.database = MyDatabaseId;
    args.role = por_data_owner();
    args.threads = por_guc_threads;
    args.fan_in_log2 = por_guc_fan_in_log2;
    strlcpy(args.run_by, GetUserNameFromId(GetUserId(), false), sizeof(args.run_by));

    memset(&worker, 0, sizeof(worker));
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = BGW_NEVER_RESTART;
    strlcpy(worker.bgw_library_name, "por", BGW_MAXLEN);
    strlcpy(worker.bgw_function_name, "por_prove_worker_main", BGW_MAXLEN);
    snprintf(worker.bgw_name, BGW_MAXLEN, "por prove snapshot %" PRId64, snapshot_id);
    strlcpy(worker.bgw_type, "por prove", BGW_MAXLEN);
    worker.bgw_main_arg = Int64GetDatum(snapshot_id);
    memcpy(worker.bgw_extra, &args, sizeof(args));
    worker.bgw_notify_pid = MyProcPid;

    if (!RegisterDynamicBackgroundWorker(&worker, &handle))
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_RESOURCES),
                        errmsg("could not start the proving worker"),
                        errhint("Every background worker slot is taken; raise max_worker_processes.")));
    status = WaitForBackgroundWorkerStartup(handle, &pid);
    if (status != BGWH_STARTED && status != BGWH_STOPPED)
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_RESOURCES), errmsg("the proving worker did not start")));
    PG_TRY();
    {
        /* returns on the worker's exit; a cancel of por_prove raises here */
        WaitForBackgroundWorkerShutdown(handle);
    }
    PG_CATCH();
    {
        TerminateBackgroundWorker(handle);
        PG_RE_THROW();
    }
    PG_END_TRY();

    result = outcome(snapshot_id, pid, called, caller_ctx);
    SPI_finish();
    PG_RETURN_BYTEA_P(result);
}
