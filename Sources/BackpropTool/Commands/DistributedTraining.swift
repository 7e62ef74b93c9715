// DistributedTraining.swift: `train --distributed`: the MPI communicator and the processes' agreement on the run.
#if MPI
import Backprop
import BackpropMPI
import Foundation

extension Train {
    /// `train --distributed`: this process's part of an `mpirun` job. Any error ends the whole job;
    /// an exchange that times out ends this process at once, saying who stopped answering and where to resume.
    func runDistributed() throws {
        let mpi = try MPICommunicator.start(exchangeTimeout: exchangeTimeout, overlapsSums: exchange == .overlapped)
        // A measuring aid (`make bench` sets it): time the wait for the slowest process apart from the exchange.
        mpi.separatesWaiting = ProcessInfo.processInfo.environment["BACKPROP_MPI_TIME_WAITING"] == "1"
        // Several processes on one machine share its cores: OpenBLAS's own threads would oversubscribe them.
        if let local = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init), local > 1 {
            BLASThreads.set(1)
        }
        var lastCheckpoint: (path: String, epoch: Int)? = nil
        do {
            try runTraining(reduction: mpi, synchronize: {
                // Start the clocks together: the all-reduce time then excludes waiting for slower start-up.
                try mpi.barrier()
                mpi.resetStatistics()
            }, checkpointWritten: { lastCheckpoint = ($0, $1) }) {
                // "of N values": the mean size (the gradients every step, the validation figures every epoch).
                "all-reduce \(String(format: "%.3f", mpi.reductionSeconds)) s in \(mpi.reductions) calls of \(mpi.reducedValues / max(mpi.reductions, 1)) values"
                    + (mpi.separatesWaiting ? String(format: " after %.3f s waiting for the slowest process", mpi.waitingSeconds) : "")
                    + (mpi.overlappedExchanges > 0 ? "; \(mpi.overlappedExchanges) steps' exchanges overlapped with backprop" : "")
            }
            try mpi.finish()
        } catch let timeout as ExchangeTimeout {
            let resume = lastCheckpoint.map {
                "the last checkpoint is \($0.path) (after epoch \($0.epoch), on \(mpi.hosts[0]), process 0's host): once every host answers, "
                    + "resume with `mpirun ... backprop train --distributed --resume \($0.path)`"
            } ?? "no checkpoint was written (see --checkpoint-every): the run starts over"
            FileHandle.standardError.write(Data("Error: \(timeout); ending this process, as every process of the job does; \(resume)\n".utf8))
            mpi.abandon(code: 3)
        } catch {
            // The other processes may be waiting in an all-reduce this one will never join: end them all.
            FileHandle.standardError.write(Data("Error: process \(mpi.rank) of \(mpi.size): \(error)\n".utf8))
            mpi.abort(code: 1)
        }
    }
}
#endif
