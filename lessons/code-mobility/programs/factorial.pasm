; Recursive factorial: one call frame per level, so the execution state grows.
.program factorial
.global n 20

.func fact k
        load k
        push 1
        le
        jz recurse
        push 1
        ret
recurse:
        load k
        load k
        push 1
        sub
        call fact
        mul
        ret
.end

.func main
        gload n
        call fact
        ret
.end
