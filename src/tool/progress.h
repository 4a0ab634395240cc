/*
 * What rssp-tool shows while a person is expected to act elsewhere (approve
 * on the phone): a line on standard error, rewritten every second with the
 * time left, when standard error is a terminal; nothing extra otherwise.
 */
#ifndef RSSP_TOOL_PROGRESS_H
#define RSSP_TOOL_PROGRESS_H

/*
 * Run work(arg) in a second thread; meanwhile, on a terminal, show
 * "rssp-tool: WHAT, M:SS left" counting down from limit_ms, and erase it when
 * work returns. Without a terminal (or if no thread can be made) work runs
 * here, silently. Returns when work has returned.
 */
void tool_wait_with_progress(void (*work)(void *), void *arg, const char *what, long limit_ms);

#endif
