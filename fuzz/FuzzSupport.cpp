#include "FuzzSupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace km::fuzz {
namespace {

void quiet(QtMsgType type, const QMessageLogContext& /*context*/, const QString& message)
{
    if (type == QtFatalMsg) {
        std::fprintf(stderr, "qFatal: %s\n", qPrintable(message));
        std::abort();
    }
}

QTemporaryDir& folder()
{
    // tmpfs when there is one: a target that writes each input to a file runs thousands of times a second
    static QTemporaryDir dir(QDir(QStringLiteral("/dev/shm")).exists() ? QStringLiteral("/dev/shm/killmail-fuzz-XXXXXX")
                                                                       : QString());
    return dir;
}

} // namespace

void start(int* argc, char*** argv)
{
    qInstallMessageHandler(quiet);
    static const std::unique_ptr<QCoreApplication> application = std::make_unique<QCoreApplication>(*argc, *argv);
    if (!folder().isValid()) {
        std::fprintf(stderr, "cannot make a temporary folder: %s\n", qPrintable(folder().errorString()));
        std::abort();
    }
}

QByteArray bytes(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const char*>(data), qsizetype(size)};
}

HttpReply okReply(const std::uint8_t* data, std::size_t size)
{
    HttpReply reply;
    reply.status = RequestStatus::ofAnswer(200);
    reply.body = bytes(data, size);
    return reply;
}

QString writeInput(const QByteArray& content, const QString& name)
{
    const QString path = folder().filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(content) != content.size()) {
        std::fprintf(stderr, "cannot write %s: %s\n", qPrintable(path), qPrintable(file.errorString()));
        std::abort();
    }
    return path;
}

void require(bool condition, const char* promise, const QString& detail)
{
    if (!condition) {
        std::fprintf(stderr, "broken promise: %s\n%s\n", promise, qPrintable(detail));
        std::abort();
    }
}

} // namespace km::fuzz
