#pragma once

// A Qt Test main for test programs that start helper processes (see core/common/helpermode.h):
// the test executable is started again as the helper, so it must hand itself over first.
#include "common/helpermode.h"

#include <QtTest>

#define PROCLAB_TEST_MAIN_WITH_HELPERS(TestObject)                                                           \
    int main(int argc, char *argv[])                                                                         \
    {                                                                                                        \
        if (const int status = proclab::runHelperModeIfRequested(argc, argv); status >= 0)                   \
            return status;                                                                                   \
        TestObject tc;                                                                                       \
        QTEST_SET_MAIN_SOURCE_PATH                                                                           \
        return QTest::qExec(&tc, argc, argv);                                                                \
    }

// The same for GUI tests (include <QApplication> first): QTEST_MAIN's application and 96 dpi.
#define PROCLAB_GUI_TEST_MAIN_WITH_HELPERS(TestObject)                                                       \
    int main(int argc, char *argv[])                                                                         \
    {                                                                                                        \
        if (const int status = proclab::runHelperModeIfRequested(argc, argv); status >= 0)                   \
            return status;                                                                                   \
        QApplication app(argc, argv);                                                                        \
        app.setAttribute(Qt::AA_Use96Dpi, true);                                                             \
        TestObject tc;                                                                                       \
        QTEST_SET_MAIN_SOURCE_PATH                                                                           \
        return QTest::qExec(&tc, argc, argv);                                                                \
    }
