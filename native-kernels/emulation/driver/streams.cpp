// The emulated driver's streams and events. Each stream is a queue that runs, in order, only when something waits
// for it; the default stream and blocking streams wait for each other as the legacy default stream does.
#include "state.h"

namespace jcnn_emulator {

// ---- streams: queues that run only when waited for ----

bool operation_failed(const std::string& message) {
    report(message);
    if (primary.sticky == SUCCESS) primary.sticky = ILLEGAL_ADDRESS;
    return false;
}

bool ranges_live(const Op& op) {
    for (const Range& r : op.ranges) {
        const auto& map = r.role == "pinned source" || r.role == "pinned target" ? pinned : blocks;
        std::string why = check_range(map, r.start, r.bytes);
        if (!why.empty()) return operation_failed(op.what + " ran with its " + r.role + " freed: " + why);
    }
    return true;
}

void wait_for(const std::shared_ptr<Record>& record) {
    if (record->done) return;
    EmulatedStream* s = record->stream;
    if (s->running) {
        operation_failed("deadlock: a stream waits for an event recorded later on a stream that is waiting for it");
        return;
    }
    run_stream(s, record.get());
}

void run_stream(EmulatedStream* s, const Record* until) {
    if (s->running) return;  // already running further up this thread's stack
    s->running = true;
    while (!s->queue.empty() && !(until != nullptr && until->done)) {
        Op op = std::move(s->queue.front());
        s->queue.pop_front();
        if (primary.sticky == SUCCESS && ranges_live(op)) op.work();
    }
    s->running = false;
}

void run_all() {
    for (bool more = true; more;) {
        run_stream(&legacy);
        for (EmulatedStream* s : streams) {
            if (s->alive) run_stream(s);
        }
        more = !legacy.queue.empty();
        for (EmulatedStream* s : streams) more |= s->alive && !s->queue.empty();
    }
}

// An event record for s: done, with its time, once s has run up to it.
Op record_op(EmulatedStream* s, const std::shared_ptr<Record>& record) {
    record->stream = s;
    return Op{"event record", {}, [record] {
                  record->done = true;
                  record->millis = now_millis();
              }};
}

// A record at the end of s's queue, for an implicit dependency of another stream on s.
std::shared_ptr<Record> record_on(EmulatedStream* s) {
    auto record = std::make_shared<Record>();
    s->queue.push_back(record_op(s, record));
    return record;
}

void push_wait(EmulatedStream* s, std::shared_ptr<Record> record) {
    s->queue.push_back(Op{"stream wait", {}, [record] { wait_for(record); }});
}

// Appends op to s; the default stream and the blocking streams wait for each other, as the legacy default
// stream does.
void push(EmulatedStream* s, Op op) {
    if (s->isDefault) {
        for (EmulatedStream* other : streams) {
            if (other->alive && !(other->flags & STREAM_NON_BLOCKING) && !other->queue.empty())
                push_wait(s, record_on(other));
        }
    } else if (!(s->flags & STREAM_NON_BLOCKING) && !legacy.queue.empty()) {
        push_wait(s, record_on(&legacy));
    }
    s->queue.push_back(std::move(op));
}

EmulatedStream* resolve(CUstream s) {
    uintptr_t value = reinterpret_cast<uintptr_t>(s);
    return value <= 2 ? &legacy : static_cast<EmulatedStream*>(s);  // NULL, CU_STREAM_LEGACY, CU_STREAM_PER_THREAD
}

CUresult check_stream(CUstream handle, const char* call) {
    EmulatedStream* s = resolve(handle);
    if (s == &legacy) return SUCCESS;
    if (streams.count(s) == 0) return misuse(INVALID_HANDLE, std::string(call) + ": not a stream of this driver");
    if (!s->alive) return misuse(INVALID_HANDLE, std::string(call) + ": the stream was destroyed");
    return SUCCESS;
}

CUresult check_event(CUevent e, const char* call) {
    if (events.count(e) == 0) return misuse(INVALID_HANDLE, std::string(call) + ": not an event of this driver");
    if (!e->alive) return misuse(INVALID_HANDLE, std::string(call) + ": the event was destroyed");
    return SUCCESS;
}

bool stream_alive(CUstream stream) {
    EmulatedStream* s = resolve(stream);
    return s == &legacy || (streams.count(s) > 0 && s->alive);
}

CUresult enqueue(CUstream stream, const std::string& what, std::vector<Range> ranges, std::function<void()> work) {
    std::lock_guard guard(lock);
    for (const Range& r : ranges) {
        std::string why = check_range(blocks, r.start, r.bytes);
        if (!why.empty()) return misuse(INVALID_VALUE, what + ": its " + r.role + " is not valid device memory: " + why);
    }
    push(resolve(stream), Op{what, std::move(ranges), [work = std::move(work)] {
                                 work();
                                 launches_run++;
                             }});
    return SUCCESS;
}

}  // namespace jcnn_emulator

extern "C" {

// ---- streams and events ----

CUresult cuStreamCreate(CUstream* stream, unsigned flags) {
    LOCKED;
    REQUIRE_CONTEXT("cuStreamCreate");
    if (take_fault(STREAM_CREATE)) return OUT_OF_MEMORY;
    auto* s = new EmulatedStream();
    s->flags = flags;
    streams.insert(s);
    *stream = s;
    return SUCCESS;
}

CUresult cuStreamCreateWithPriority(CUstream* stream, unsigned flags, int) {
    return cuStreamCreate(stream, flags);
}

CUresult cuStreamDestroy_v2(CUstream stream) {
    LOCKED;
    REQUIRE_CONTEXT("cuStreamDestroy");
    if (resolve(stream) == &legacy) return misuse(INVALID_HANDLE, "cuStreamDestroy: the default stream");
    if (CUresult status = check_stream(stream, "cuStreamDestroy"); status != SUCCESS) return status;
    run_stream(stream);  // its queued work still completes, as on a GPU
    stream->alive = false;
    return SUCCESS;
}

CUresult cuStreamSynchronize(CUstream stream) {
    LOCKED;
    REQUIRE_CONTEXT("cuStreamSynchronize");
    if (CUresult status = check_stream(stream, "cuStreamSynchronize"); status != SUCCESS) return status;
    run_stream(resolve(stream));
    return primary.sticky;
}

CUresult cuStreamQuery(CUstream stream) {
    LOCKED;
    REQUIRE_CONTEXT("cuStreamQuery");
    if (CUresult status = check_stream(stream, "cuStreamQuery"); status != SUCCESS) return status;
    // A query never makes the device progress: only a wait does. So code that polls instead of waiting, or that
    // assumes a copy has landed because time passed, sees it still busy.
    return resolve(stream)->queue.empty() ? SUCCESS : NOT_READY;
}

CUresult cuStreamWaitEvent(CUstream stream, CUevent event, unsigned flags) {
    LOCKED;
    REQUIRE_CONTEXT("cuStreamWaitEvent");
    if (CUresult status = check_stream(stream, "cuStreamWaitEvent"); status != SUCCESS) return status;
    if (CUresult status = check_event(event, "cuStreamWaitEvent"); status != SUCCESS) return status;
    if (flags != 0) return INVALID_VALUE;
    if (event->last != nullptr && !event->last->done) push(resolve(stream), Op{"stream wait", {}, [r = event->last] {
                                                                                    wait_for(r);
                                                                                }});
    return SUCCESS;
}

CUresult cuEventCreate(CUevent* event, unsigned flags) {
    LOCKED;
    REQUIRE_CONTEXT("cuEventCreate");
    if (take_fault(EVENT_CREATE)) return OUT_OF_MEMORY;
    auto* e = new EmulatedEvent();
    e->flags = flags;
    events.insert(e);
    *event = e;
    return SUCCESS;
}

CUresult cuEventDestroy_v2(CUevent event) {
    LOCKED;
    REQUIRE_CONTEXT("cuEventDestroy");
    if (CUresult status = check_event(event, "cuEventDestroy"); status != SUCCESS) return status;
    event->alive = false;  // a record still queued completes, as on a GPU
    return SUCCESS;
}

CUresult cuEventRecord(CUevent event, CUstream stream) {
    LOCKED;
    REQUIRE_CONTEXT("cuEventRecord");
    if (CUresult status = check_event(event, "cuEventRecord"); status != SUCCESS) return status;
    if (CUresult status = check_stream(stream, "cuEventRecord"); status != SUCCESS) return status;
    EmulatedStream* s = resolve(stream);
    auto record = std::make_shared<Record>();
    push(s, record_op(s, record));
    event->last = record;
    return SUCCESS;
}

CUresult cuEventSynchronize(CUevent event) {
    LOCKED;
    REQUIRE_CONTEXT("cuEventSynchronize");
    if (CUresult status = check_event(event, "cuEventSynchronize"); status != SUCCESS) return status;
    if (event->last != nullptr) wait_for(event->last);
    return primary.sticky;
}

CUresult cuEventQuery(CUevent event) {
    LOCKED;
    REQUIRE_CONTEXT("cuEventQuery");
    if (CUresult status = check_event(event, "cuEventQuery"); status != SUCCESS) return status;
    return event->last == nullptr || event->last->done ? SUCCESS : NOT_READY;  // no progress, as cuStreamQuery
}

CUresult cuEventElapsedTime(float* millis, CUevent start, CUevent end) {
    LOCKED;
    REQUIRE_CONTEXT("cuEventElapsedTime");
    if (CUresult status = check_event(start, "cuEventElapsedTime"); status != SUCCESS) return status;
    if (CUresult status = check_event(end, "cuEventElapsedTime"); status != SUCCESS) return status;
    if ((start->flags | end->flags) & EVENT_DISABLE_TIMING) return INVALID_HANDLE;
    if (start->last == nullptr || end->last == nullptr) return INVALID_HANDLE;
    if (!start->last->done || !end->last->done) return NOT_READY;
    *millis = (float) (end->last->millis - start->last->millis);
    return SUCCESS;
}

}  // extern "C"
