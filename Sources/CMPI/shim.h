// Open MPI's C interface. Its handles (MPI_COMM_WORLD, MPI_DOUBLE, ...) are macros that cast the
// address of a global, which Swift cannot import; these functions return them.
#include <mpi.h>

static inline MPI_Comm _Nonnull cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype _Nonnull cmpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype _Nonnull cmpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Op _Nonnull cmpi_sum(void) { return MPI_SUM; }
static inline MPI_Op _Nonnull cmpi_min(void) { return MPI_MIN; }
static inline MPI_Op _Nonnull cmpi_max(void) { return MPI_MAX; }
static inline MPI_Errhandler _Nonnull cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline void *_Nonnull cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Datatype _Nonnull cmpi_char(void) { return MPI_CHAR; }
static inline MPI_Datatype _Nonnull cmpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Request _Nonnull cmpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *_Nullable cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Status *_Nullable cmpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
