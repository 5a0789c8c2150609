# Fails when a part of the engine includes a header of a part above it: the engine's layers point one way.
# Run as `cmake -DSOURCE_DIR=<repo>/src -P cmake/CheckLayers.cmake` (CTest runs it as the `layers` test).
#
# The layers, lowest first. A part may include the parts of its own layer and of the layers below it.
#   0 model util async           plain data, helpers
#   1 net parse monitoring       HTTP, parsing outside input, the metrics endpoint
#   2 esi                        the ESI client and its rate limits
#   3 storage staticdata prices valuation   the stored data and what values it
#   4 queue                      the durable job queue and the jobs put on it
#   5 processing import          what runs the jobs; bulk imports
#   6 sources feed checks        live sources and backfills, the served feed, data checks
#   7 config                     the settings of every part, read from file, environment and flags
#   8 runtime                    the engine that assembles and runs it all
# Above the engine: cli and ui (each on the engine only), then app.
set(KILLMAIL_LAYERS
  "model util async"
  "net parse monitoring"
  "esi"
  "storage staticdata prices valuation"
  "queue"
  "processing import"
  "sources feed checks"
  "config"
  "runtime"
  "cli ui"
  "app")

set(level 0)
foreach(layer IN LISTS KILLMAIL_LAYERS)
  string(REPLACE " " ";" parts "${layer}")
  foreach(part IN LISTS parts)
    set(level_of_${part} ${level})
  endforeach()
  math(EXPR level "${level} + 1")
endforeach()

set(violations "")
file(GLOB_RECURSE files RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/*.h ${SOURCE_DIR}/*.cpp)
foreach(file IN LISTS files)
  # engine/<part>/..., or cli/..., ui/..., app/...
  string(REGEX MATCH "^engine/([a-z]+)/" engine_part "${file}")
  if(engine_part)
    set(part ${CMAKE_MATCH_1})
  else()
    string(REGEX MATCH "^([a-z]+)/" top "${file}")
    set(part ${CMAKE_MATCH_1})
  endif()
  if(NOT DEFINED level_of_${part})
    list(APPEND violations "${file}: part '${part}' has no layer in cmake/CheckLayers.cmake")
    continue()
  endif()
  file(STRINGS ${SOURCE_DIR}/${file} includes REGEX "^#include \"[a-z]+/")
  foreach(line IN LISTS includes)
    string(REGEX MATCH "^#include \"([a-z]+)/([^\"]*)\"" _ "${line}")
    set(included ${CMAKE_MATCH_1})
    # cli and ui include their own headers by subfolder (e.g. "health/HealthView.h"): not engine parts
    if(NOT DEFINED level_of_${included})
      continue()
    endif()
    if(level_of_${included} GREATER level_of_${part})
      list(APPEND violations
           "${file} includes ${included}/${CMAKE_MATCH_2}: ${part} (layer ${level_of_${part}}) is below ${included} (layer ${level_of_${included}})")
    endif()
  endforeach()
endforeach()

if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "Includes that point up the layers:\n  ${text}")
endif()
message(STATUS "Layers: every include points down or sideways")
