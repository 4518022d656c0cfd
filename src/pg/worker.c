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
 * on one snapshot run one after the other (the later ones find it proven).
 * A worker that fails records SQLSTATE and message in por.prove_progress and
 * the waiting por_prove re-raises them.  Canceling por_prove terminates the
 * worker; it stops at its next interrupt check (between batches).
 */
#include "postgres.h"

#include <inttypes.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "por/batch_proof.h"
#include "por_pg.h"
#include "util/threadpool.h"
#include "por/tree.h"

/* What the caller passes to the worker in bgw_extra. */
typedef struct {
    Oid database;
    Oid role;                /* owner of schema por */
    int threads;             /* por.threads of the caller */
    char run_by[NAMEDATALEN];
} por_worker_args;

StaticAssertDecl(sizeof(por_worker_args) <= BGW_EXTRALEN, "worker arguments must fit in bgw_extra");

PGDLLEXPORT void por_prove_worker_main(Datum main_arg);

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
static void progress_set(int64 snapshot_id, const char *phase, uint64_t done, uint64_t total, bool starting)
{
    Oid types[5] = {INT8OID, TEXTOID, INT4OID, INT4OID, INT4OID};
    Datum values[5] = {Int64GetDatum(snapshot_id), CStringGetTextDatum(phase), Int32GetDatum((int32)done),
                       Int32GetDatum((int32)total), Int32GetDatum(MyProcPid)};
    const char *sql = starting
        ? "INSERT INTO por.prove_progress AS p (snapshot_id, phase, batches_done, batches_total, worker_pid,"
          " started_at, updated_at) VALUES ($1, $2, $3, $4, $5, clock_timestamp(), clock_timestamp())"
          " ON CONFLICT (snapshot_id) DO UPDATE SET phase = $2, batches_done = $3, batches_total = $4,"
          " worker_pid = $5, started_at = clock_timestamp(), updated_at = clock_timestamp(),"
          " error_sqlstate = NULL, error_message = NULL"
        : "UPDATE por.prove_progress SET phase = $2, batches_done = $3, batches_total = $4, worker_pid = $5,"
          " updated_at = clock_timestamp() WHERE snapshot_id = $1";
    if (SPI_execute_with_args(sql, 5, types, values, NULL, false, 0) < 0)
        elog(ERROR, "por: recording progress failed");
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
    TimestampTz started = GetCurrentTimestamp(), tree_done;
    uint64_t batches, done_count;
    bool *done;
    por_pool *pool;
    por_batch_prover bp;
    const char *why = NULL;
    char activity[64];

    /* 1: lock (kept until exit), see what is left */
    worker_begin("por prove: starting");
    por_lock_snapshot_session(snapshot_id);
    por_snapshot_load(snapshot_id, &info);
    if (info.proven) {
        worker_commit();
        return;
    }
    por_check_params_digest(snapshot_id, &info);
    batches = info.params.leaf_count >> info.params.batch_log2;
    done = batches_done(snapshot_id, batches, &done_count);
    progress_set(snapshot_id, "tree", done_count, batches, true);
    worker_commit();

    pool = por_pool_create((unsigned)args->threads);
    if (pool == NULL)
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("could not start worker threads")));

    /* 2: the tree, once */
    worker_begin("por prove: tree");
    por_snapshot_load(snapshot_id, &info);
    if (!por_tree_stored(snapshot_id))
        por_prove_tree(snapshot_id, &info, pool);
    tree_done = GetCurrentTimestamp();
    progress_set(snapshot_id, "setup", done_count, batches, false);
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
        por_prove_batch(snapshot_id, &info, &bp, pool, b);
        done[b] = true;
        done_count++;
        progress_set(snapshot_id, done_count == batches ? "finishing" : "batches", done_count, batches, false);
        worker_commit();
    }
    batch_prover_free(&bp);
    por_pool_destroy(pool);

    /* 4: check everything against the snapshot and publish the root */
    worker_begin("por prove: finishing");
    por_snapshot_load(snapshot_id, &info);
    por_prove_finish(snapshot_id, &info, started, tree_done, args->run_by);
    progress_set(snapshot_id, "done", batches, batches, false);
    worker_commit();
}

/* Entry point of the proving worker; main_arg is the snapshot id. */
void por_prove_worker_main(Datum main_arg)
{
    int64 snapshot_id = DatumGetInt64(main_arg);
    por_worker_args args;

    memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));
    pqsignal(SIGTERM, die);
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
        ereport(LOG, (errmsg("por prove of snapshot %" PRId64 " failed: %s", snapshot_id, edata->message)));
        worker_begin("por prove: recording a failure");
        {
            Oid types[3] = {INT8OID, TEXTOID, TEXTOID};
            Datum values[3] = {Int64GetDatum(snapshot_id), CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode)),
                               CStringGetTextDatum(edata->detail ? psprintf("%s (%s)", edata->message, edata->detail)
                                                                 : edata->message)};
            if (SPI_execute_with_args("INSERT INTO por.prove_progress AS p (snapshot_id, phase, batches_done,"
                                      " batches_total, started_at, updated_at, error_sqlstate, error_message)"
                                      " VALUES ($1, 'failed', 0, 0, clock_timestamp(), clock_timestamp(), $2, $3)"
                                      " ON CONFLICT (snapshot_id) DO UPDATE SET phase = 'failed', error_sqlstate = $2,"
                                      " error_message = $3, updated_at = clock_timestamp()",
                                      3, types, values, NULL, false, 0) < 0)
                elog(LOG, "por: could not record the failure");
        }
        worker_commit();
        proc_exit(1);
    }
    PG_END_TRY();
    proc_exit(0);
}

/* Reads the run's outcome after the worker stopped and returns the root or raises its error. */
static bytea *outcome(int64 snapshot_id, MemoryContext result_ctx)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    char *phase, *sqlstate, *message, *done, *total;
    bytea *root;
    bool isnull;

    if (SPI_execute_with_args("SELECT s.root, p.phase, p.error_sqlstate, p.error_message, p.batches_done::text,"
                              " p.batches_total::text FROM por.snapshots s"
                              " LEFT JOIN por.prove_progress p USING (snapshot_id) WHERE s.snapshot_id = $1",
                              1, types, values, NULL, false, 1) != SPI_OK_SELECT ||
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
    phase = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
    sqlstate = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
    message = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);
    done = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5);
    total = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 6);
    if (phase != NULL && strcmp(phase, "failed") == 0 && sqlstate != NULL && strlen(sqlstate) == 5)
        ereport(ERROR, (errcode(MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2], sqlstate[3], sqlstate[4])),
                        errmsg("por_prove(%" PRId64 ") failed: %s", snapshot_id, message ? message : "unknown error"),
                        errhint("Finished batches are kept; por_prove resumes after the cause is fixed.")));
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("the proving worker of snapshot %" PRId64 " stopped before finishing", snapshot_id),
                    errdetail("Phase %s, %s of %s batches proven.", phase ? phase : "none", done ? done : "0",
                              total ? total : "?"),
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
    pid_t pid;
    bytea *result;

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

    result = outcome(snapshot_id, caller_ctx);
    SPI_finish();
    PG_RETURN_BYTEA_P(result);
}
