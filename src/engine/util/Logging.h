#pragma once

namespace km::logging {

/// Structured one-line logs on stderr (`time level category: message`). Quiet by default: warnings and
/// errors only; `verbose` adds the engine's informational messages.
void install(bool verbose);

} // namespace km::logging
