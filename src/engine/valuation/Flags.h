#pragma once

#include "model/Killmail.h"

namespace km {

class StaticData;

struct KillFlags {
    bool npc = false;
    bool solo = false;
    bool awox = false;

    friend bool operator==(const KillFlags&, const KillFlags&) = default;
};

/// zKillboard's npc/solo/awox rules (docs: zkb-rules.md), evaluated in zKillboard's order.
class FlagClassifier {
public:
    explicit FlagClassifier(const StaticData& staticData);

    [[nodiscard]] KillFlags classify(const Killmail& killmail) const;
    [[nodiscard]] bool isNpc(const Killmail& killmail) const;
    [[nodiscard]] bool isAwox(const Killmail& killmail) const;
    [[nodiscard]] bool isSolo(const Killmail& killmail) const;

private:
    const StaticData& m_staticData;
};

} // namespace km
