#pragma once

#include <QByteArray>

#include <algorithm>

namespace km {

/**
 * Whether `given` equals `expected`, compared in time that depends only on the lengths: a peer guessing a secret
 * (the live feed's token) cannot learn from how long a refusal takes how many of its first bytes were right.
 */
inline bool constantTimeEquals(const QByteArray& given, const QByteArray& expected)
{
    const qsizetype length = std::max(given.size(), expected.size());
    unsigned char difference = given.size() == expected.size() ? 0 : 1;
    for (qsizetype i = 0; i < length; ++i) {
        const auto a = static_cast<unsigned char>(i < given.size() ? given[i] : 0);
        const auto b = static_cast<unsigned char>(i < expected.size() ? expected[i] : 0);
        difference |= static_cast<unsigned char>(a ^ b);
    }
    return difference == 0;
}

} // namespace km
