#pragma once

#include "net/HttpClient.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>

/// What every fuzz target shares: Qt set up once, a quiet log, files for the parsers that read files, and a way to
/// stop the run when a parser breaks its promise (a refusal must name what was wrong).
namespace km::fuzz {

/// Makes the QCoreApplication (some parsers need one) and silences Qt's log; call from LLVMFuzzerInitialize.
void start(int* argc, char*** argv);

/// The input as a QByteArray of its own (the parsers may keep it beyond the call).
QByteArray bytes(const std::uint8_t* data, std::size_t size);

/// A 200 answer with the input as its body, as a source gets it from HttpClient.
HttpReply okReply(const std::uint8_t* data, std::size_t size);

/// Writes `content` to a file `name` in the target's own temporary folder (replacing the last input's) and returns
/// its path.
QString writeInput(const QByteArray& content, const QString& name);

/// Stops the run with a report (libFuzzer saves the input) when `condition` does not hold.
void require(bool condition, const char* promise, const QString& detail = {});

} // namespace km::fuzz

/// Each target defines only what one input does; this declares the entry points libFuzzer calls.
#define KILLMAIL_FUZZ_TARGET(data, size)                                                                               \
    extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)                                                       \
    {                                                                                                                  \
        km::fuzz::start(argc, argv);                                                                                   \
        return 0;                                                                                                      \
    }                                                                                                                  \
    extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
