#include "queue/JobWakeup.h"

namespace km {

JobWakeup& JobWakeup::instance()
{
    static JobWakeup wakeup;
    return wakeup;
}

} // namespace km
