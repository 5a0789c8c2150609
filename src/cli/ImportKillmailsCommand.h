#pragma once

#include "Command.h"

namespace km::cli {

/// `import:killmails PATH...`: files, folders and EVE Ref daily archives, in every killmail shape.
class ImportKillmailsCommand final : public Command {
public:
    [[nodiscard]] QString name() const override { return QStringLiteral("import:killmails"); }
    [[nodiscard]] QString summary() const override
    {
        return QStringLiteral("Import killmail files, folders and EVE Ref archives");
    }
    void describe(QCommandLineParser& parser) const override;
    int run(const QCommandLineParser& parser, Context& context) override;
};

} // namespace km::cli
