# make_reference.R -- generate R/fitdistrplus reference values for kl_core tests.
#
# Run from the repository root:
#     Rscript tests/data/reference/make_reference.R
#
# Writes into tests/data/reference/:
#   discrete_data.csv   (dataset,value,count)
#   discrete_fits.csv   (dataset,distribution,parameter,estimate,loglik,se,
#                        estimate_weighted,loglik_weighted,n_obs,note)
#   binned_data.csv     (dataset,left,right,count)
#   binned_fits.csv     (dataset,distribution,parameter,estimate,loglik,se,
#                        estimate_weighted,loglik_weighted,loglik_direct,n_obs,note)
#
# The script is kept for provenance only; the Python tests read the CSVs and
# never need R.  Only Debian-packaged R libraries are used
# (apt-get install r-base-core r-cran-fitdistrplus r-cran-numderiv).

suppressPackageStartupMessages(library(fitdistrplus))
stopifnot(requireNamespace("numDeriv", quietly = TRUE))

RNGkind(kind = "Mersenne-Twister", normal.kind = "Inversion",
        sample.kind = "Rejection")

# Output directory: the directory holding this script if we can find it,
# otherwise tests/data/reference relative to the working directory.
outdir <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grepl("^--file=", a)])
  if (length(f) == 1) dirname(normalizePath(f)) else "tests/data/reference"
})

# Optimiser.  fitdistrplus builds the (weighted / censored) negative
# log-likelihood and hands it to `custom.optim`.  With fitdistrplus' default
# optimiser settings the estimates are off by ~1e-8 (one-parameter BFGS) up to
# ~4e-4 relative (two-parameter Nelder-Mead, e.g. nbinom size, binned gamma);
# checked against the closed-form MLEs lambda = mean(x), prob = 1/(1+mean(x)),
# nbinom mu = mean(x) and the printed "polished - default" diagnostics.
# So we run optim() first and then polish with Newton steps that use
# Richardson-extrapolated derivatives from numDeriv (Debian package
# r-cran-numderiv; apt pulled it in with the recommends of r-cran-fitdistrplus,
# install it explicitly if it is missing).  That brings
# the estimates to ~1e-11 relative of the exact optimum.  The Hessian returned
# (used by fitdistrplus for the standard errors `se`) is also from numDeriv.
precise_optim <- function(fn, par, ...) {
  f <- function(p) fn(p, ...)
  meth <- if (length(par) > 1) "Nelder-Mead" else "BFGS"
  o <- optim(par, f, method = meth, control = list(reltol = 1e-14, maxit = 10000))
  p <- o$par; fp <- f(p)
  for (i in 1:50) {
    g <- numDeriv::grad(f, p); H <- numDeriv::hessian(f, p)
    step <- solve(H, g); pn <- p - step; fnew <- f(pn)
    if (!is.finite(fnew) || fnew > fp + 1e-12 * abs(fp)) break
    p <- pn; fp <- fnew
    if (max(abs(step) / pmax(abs(p), 1e-300)) < 1e-14) break
  }
  H <- numDeriv::hessian(f, p)
  dimnames(H) <- list(names(par), names(par))   # so fitdist's `sd` is named
  list(par = p, value = f(p), counts = o$counts, convergence = o$convergence,
       hessian = H)
}

# fitdistrplus warns "weights are not taken into account in the default
# initial values" whenever weights are given, even with explicit `start`
# (we always pass the unweighted estimate as start).  Muffle only that one.
quiet_weights <- function(expr) withCallingHandlers(expr, warning = function(w)
  if (grepl("weights are not taken into account", conditionMessage(w)))
    invokeRestart("muffleWarning"))

# Guard: the polished optimum must be at least as good as plain fitdistrplus.
check_vs_default <- function(fpol, fdef) {
  cat(sprintf("  %s: polished - default optim: dloglik = %.3g, max rel d(estimate) = %.3g\n",
              fpol$distname, fpol$loglik - fdef$loglik,
              max(abs(fpol$estimate / fdef$estimate[names(fpol$estimate)] - 1))))
  stopifnot(fdef$convergence == 0,
            fpol$loglik >= fdef$loglik - 1e-9 * abs(fdef$loglik),
            all(abs(fpol$estimate - fdef$estimate[names(fpol$estimate)]) <=
                  1e-2 * abs(fpol$estimate)))
}

# Full-precision (round-trippable) number formatting.
num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

write_table <- function(df, name) {
  for (k in names(df)) if (is.double(df[[k]])) df[[k]] <- num(df[[k]])
  for (k in names(df)) if (is.character(df[[k]]) && any(grepl(",", df[[k]])))
    stop("comma in column ", k)
  path <- file.path(outdir, name)
  write.csv(df, path, row.names = FALSE, quote = FALSE)
  cat("wrote", path, "(", nrow(df), "rows )\n")
}

# ---------------------------------------------------------------------------
# 1. Discrete samples -> (value, count) tables
# ---------------------------------------------------------------------------
set.seed(20240501); x_pois   <- rpois(5000, lambda = 3.7)
set.seed(20240502); x_nbinom <- rnbinom(5000, size = 2.5, mu = 4)
set.seed(20240503); x_geom   <- rgeom(5000, prob = 0.3)

disc <- list(pois = x_pois, nbinom = x_nbinom, geom = x_geom)

tab <- function(x) {
  t <- table(x)
  data.frame(value = as.integer(names(t)), count = as.integer(t))
}
disc_tabs <- lapply(disc, tab)

discrete_data <- do.call(rbind, lapply(names(disc_tabs), function(nm)
  data.frame(dataset = nm, disc_tabs[[nm]])))
write_table(discrete_data, "discrete_data.csv")

# ---------------------------------------------------------------------------
# 2. Discrete fits: raw-sample fitdist and weighted (value,count) fitdist
# ---------------------------------------------------------------------------
fit_disc <- function(dname, distr) {
  x  <- disc[[dname]]
  tb <- disc_tabs[[dname]]
  f  <- fitdist(x, distr, method = "mle", custom.optim = precise_optim)
  check_vs_default(f, fitdist(x, distr, method = "mle"))
  # same MLE from the (value, count) table via integer weights
  fw <- quiet_weights(fitdist(tb$value, distr, method = "mle", weights = tb$count,
                start = as.list(f$estimate), custom.optim = precise_optim))
  stopifnot(f$convergence == 0, fw$convergence == 0)
  est <- f$estimate; estw <- fw$estimate[names(est)]
  out <- data.frame(dataset = dname, distribution = distr,
                    parameter = names(est), estimate = unname(est),
                    loglik = f$loglik, se = unname(f$sd[names(est)]),
                    estimate_weighted = unname(estw),
                    loglik_weighted = fw$loglik, n_obs = length(x),
                    note = "fitdistrplus::fitdist mle (R parametrisation; see README)")
  if (distr == "nbinom") {
    size <- est[["size"]]; mu <- est[["mu"]]
    sizew <- estw[["size"]]; muw <- estw[["mu"]]
    conv <- data.frame(dataset = dname, distribution = distr,
                       parameter = c("n", "p"),
                       estimate = c(size, size / (size + mu)),
                       loglik = f$loglik, se = NA_real_,
                       estimate_weighted = c(sizew, sizew / (sizew + muw)),
                       loglik_weighted = fw$loglik, n_obs = length(x),
                       note = c("converted to scipy.stats.nbinom: n = size",
                                "converted to scipy.stats.nbinom: p = size/(size+mu)"))
    out <- rbind(out, conv)
  }
  if (distr == "geom") {
    out$note <- paste(out$note,
      "- R geom counts failures from 0: scipy.stats.geom(p; loc=-1) or nbinom(1; p)")
  }
  out
}

discrete_fits <- rbind(
  fit_disc("pois",   "pois"),
  fit_disc("nbinom", "nbinom"),
  fit_disc("nbinom", "pois"),
  fit_disc("nbinom", "geom"),
  fit_disc("geom",   "geom"),
  fit_disc("geom",   "nbinom"),
  fit_disc("geom",   "pois")
)
write_table(discrete_fits, "discrete_fits.csv")

# Closed-form checks: Poisson lambda, geometric prob and negative-binomial mu
# have exact MLEs; the optimiser must reproduce them to ~1e-9 relative.
relerr <- function(a, b) abs(a - b) / abs(b)
get_est <- function(d, dist, par, col = "estimate")
  discrete_fits[[col]][discrete_fits$dataset == d & discrete_fits$distribution == dist &
                         discrete_fits$parameter == par]
for (d in names(disc)) {
  m <- mean(disc[[d]])
  for (col in c("estimate", "estimate_weighted")) {
    errs <- c(relerr(get_est(d, "pois", "lambda", col), m),
              if (d != "pois") relerr(get_est(d, "geom", "prob", col), 1 / (1 + m)),
              if (d != "pois") relerr(get_est(d, "nbinom", "mu", col), m))
    cat(sprintf("closed-form check %-6s %-17s max rel err = %.2e\n", d, col, max(errs)))
    stopifnot(max(errs) < 1e-9)
  }
}

# ---------------------------------------------------------------------------
# 3. Continuous samples -> binned counts on fixed edges
# ---------------------------------------------------------------------------
set.seed(20240511); y_norm    <- rnorm(20000, mean = 3, sd = 2)
set.seed(20240512); y_gamma   <- rgamma(20000, shape = 2.5, rate = 1 / 1.5)
set.seed(20240513); y_lognorm <- rlnorm(20000, meanlog = 1, sdlog = 0.5)

cont <- list(norm = y_norm, gamma = y_gamma, lognorm = y_lognorm)
nbins <- 40

bin_it <- function(y) {
  edges <- seq(floor(min(y)), ceiling(max(y)), length.out = nbins + 1)
  # hist(): right-closed bins (left, right], first bin also includes its left edge
  h <- hist(y, breaks = edges, plot = FALSE)
  data.frame(left = head(edges, -1), right = tail(edges, -1),
             count = as.integer(h$counts))
}
bins <- lapply(cont, bin_it)
for (nm in names(bins)) stopifnot(sum(bins[[nm]]$count) == length(cont[[nm]]))

binned_data <- do.call(rbind, lapply(names(bins), function(nm)
  data.frame(dataset = nm, bins[[nm]])))
write_table(binned_data, "binned_data.csv")

# ---------------------------------------------------------------------------
# 4. Interval-censored (= binned multinomial) MLE with fitdistcens
# ---------------------------------------------------------------------------
pfun <- list(norm = pnorm, gamma = pgamma, lnorm = plnorm)

fit_binned <- function(dname, distr) {
  b <- bins[[dname]]
  # one row per observation: each bin repeated `count` times
  cens <- data.frame(left = rep(b$left, b$count), right = rep(b$right, b$count))
  f <- fitdistcens(cens, distr, custom.optim = precise_optim)
  check_vs_default(f, fitdistcens(cens, distr))
  # weighted version on non-empty bins only (weights must be > 0)
  bnz <- b[b$count > 0, ]
  fw <- quiet_weights(fitdistcens(data.frame(left = bnz$left, right = bnz$right),
                    distr, weights = bnz$count, start = as.list(f$estimate),
                    custom.optim = precise_optim))
  stopifnot(f$convergence == 0, fw$convergence == 0)
  est <- f$estimate; estw <- fw$estimate[names(est)]
  # direct binned multinomial log-likelihood at the fitted parameters
  Fr <- do.call(pfun[[distr]], c(list(b$right), as.list(est)))
  Fl <- do.call(pfun[[distr]], c(list(b$left),  as.list(est)))
  ll_direct <- sum(ifelse(b$count > 0, b$count * log(Fr - Fl), 0))
  stopifnot(relerr(f$loglik, ll_direct) < 1e-12, relerr(fw$loglik, ll_direct) < 1e-9,
            all(relerr(estw, est) < 1e-8))
  out <- data.frame(dataset = dname, distribution = distr,
                    parameter = names(est), estimate = unname(est),
                    loglik = f$loglik, se = unname(f$sd[names(est)]),
                    estimate_weighted = unname(estw),
                    loglik_weighted = fw$loglik, loglik_direct = ll_direct,
                    n_obs = sum(b$count),
                    note = "fitdistrplus::fitdistcens interval-censored mle (R parametrisation)")
  if (distr == "gamma") {
    out <- rbind(out, data.frame(
      dataset = dname, distribution = distr, parameter = c("a", "scale"),
      estimate = c(est[["shape"]], 1 / est[["rate"]]),
      loglik = f$loglik, se = NA_real_,
      estimate_weighted = c(estw[["shape"]], 1 / estw[["rate"]]),
      loglik_weighted = fw$loglik, loglik_direct = ll_direct,
      n_obs = sum(b$count),
      note = c("converted to scipy.stats.gamma: a = shape",
               "converted to scipy.stats.gamma: scale = 1/rate")))
  }
  if (distr == "lnorm") {
    out <- rbind(out, data.frame(
      dataset = dname, distribution = distr, parameter = c("s", "scale"),
      estimate = c(est[["sdlog"]], exp(est[["meanlog"]])),
      loglik = f$loglik, se = NA_real_,
      estimate_weighted = c(estw[["sdlog"]], exp(estw[["meanlog"]])),
      loglik_weighted = fw$loglik, loglik_direct = ll_direct,
      n_obs = sum(b$count),
      note = c("converted to scipy.stats.lognorm: s = sdlog",
               "converted to scipy.stats.lognorm: scale = exp(meanlog)")))
  }
  if (distr == "norm") {
    out$note <- paste(out$note, "- scipy.stats.norm: loc = mean and scale = sd")
  }
  out
}

binned_fits <- rbind(
  fit_binned("norm",    "norm"),
  fit_binned("gamma",   "gamma"),
  fit_binned("lognorm", "lnorm")
)
write_table(binned_fits, "binned_fits.csv")

cat("R:", R.version.string, "\n")
cat("fitdistrplus:", as.character(packageVersion("fitdistrplus")), "\n")
