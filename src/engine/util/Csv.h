#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace km::csv {

/// Splits one CSV record (RFC 4180 quoting) into its fields, unquoted.
QList<QByteArray> splitRecord(QByteArrayView line);

} // namespace km::csv
