#pragma once
// Include this instead of <qcustomplot.h>. QCustomPlot 2.1 uses the bare `signals` and `foreach`
// keywords, which the project turns off (QT_NO_KEYWORDS: Qt's `slots` clashes with LibTorch).
#include <QObject>
#include <QtGlobal>
#pragma push_macro("signals")
#pragma push_macro("foreach")
#undef signals
#undef foreach
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#pragma pop_macro("foreach")
#pragma pop_macro("signals")
