// R2Z2: a record answered for a sequence number, and the source's saved cursor.
#include "FuzzSupport.h"

#include "sources/R2z2Source.h"

using namespace km;

KILLMAIL_FUZZ_TARGET(data, size)
{
    const HttpReply reply = fuzz::okReply(data, size);
    QString problem;
    const std::optional<R2z2Record> record = R2z2Record::read(reply, 42, QStringLiteral("record 42"), problem);
    fuzz::require(record.has_value() != !problem.isEmpty(), "a record is read, or refused with a reason", problem);
    if (record) {
        fuzz::require(record->job.killmailId > 0 && !record->job.esiBody.isEmpty(), "a record makes a job with a body");
    }

    problem.clear();
    const std::optional<R2z2Cursor> cursor = R2z2Cursor::fromJson(QString::fromUtf8(reply.body), problem);
    fuzz::require(cursor.has_value() != !problem.isEmpty(), "a cursor is read, or refused with a reason", problem);
    if (cursor) {
        QString again;
        const std::optional<R2z2Cursor> reread = R2z2Cursor::fromJson(cursor->toJson(), again);
        fuzz::require(reread && reread->sequence == cursor->sequence, "a saved cursor reads back", again);
    }
    return 0;
}
