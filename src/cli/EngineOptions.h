#pragma once

#include "processing/QueueWorkers.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>

#include <optional>

namespace km::cli {

/// The engine's global options (`--esi-url`, `--concurrency`, ...), each with its environment variable.
class EngineOptions {
public:
    EngineOptions();

    void addTo(QCommandLineParser& parser) const;
    /// The workers' settings from the flags, else the environment, else the defaults; nullopt with `error` set
    /// when a value is malformed.
    [[nodiscard]] std::optional<WorkerSettings> read(const QCommandLineParser& parser, QString& error) const;

    /// Every global option that takes a value, as written on the command line (`--database`, `-d`, ...).
    static QStringList valueOptionSpellings();

private:
    /// Reads a whole number from `min` to `max` given by `option` or `environment`; false with `error` set
    /// when it is malformed. `value` is left alone when neither gives one.
    static bool readNumber(const QCommandLineParser& parser, const QCommandLineOption& option, const char* environment,
                           int min, int max, int& value, QString& error);

    QCommandLineOption m_esiUrl;
    QCommandLineOption m_esiContact;
    QCommandLineOption m_concurrency;
    QCommandLineOption m_noEntityUpdates;
    QCommandLineOption m_jobLease;
    QCommandLineOption m_keepCompleted;
};

} // namespace km::cli
